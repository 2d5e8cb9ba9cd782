package pcm

import (
	"errors"
	"fmt"
	"math"
)

// SilenceDB is the level DBFS reports for digital silence.
const SilenceDB = -120.0

// RMS returns the root-mean-square level of samples relative to full scale
// (a full-scale square wave is 1.0; a full-scale sine is about 0.707).
// It returns 0 for no samples.
func RMS(samples []int16) float64 {
	if len(samples) == 0 {
		return 0
	}
	var sum float64
	for _, s := range samples {
		v := float64(s)
		sum += v * v
	}
	return math.Sqrt(sum/float64(len(samples))) / 32768
}

// DBFS returns the RMS level of samples in dB relative to full scale
// (20·log10(RMS)), never below SilenceDB.
func DBFS(samples []int16) float64 {
	return AmplitudeToDB(RMS(samples))
}

// AmplitudeToDB converts a linear amplitude or RMS (1.0 is full scale) to dB,
// never below SilenceDB.
func AmplitudeToDB(a float64) float64 {
	if a <= 0 {
		return SilenceDB
	}
	return max(SilenceDB, 20*math.Log10(a))
}

// ErrMeasure is returned when a measurement is asked of unusable input.
var ErrMeasure = errors.New("pcm: cannot measure")

// SNR returns the ratio, in dB, of the power of reference to the power of
// the difference between test and reference. The slices must have the same,
// non-zero length. Identical signals give +Inf.
func SNR(reference, test []int16) (float64, error) {
	if len(reference) != len(test) || len(reference) == 0 {
		return 0, fmt.Errorf("%w: SNR of %d and %d samples", ErrMeasure, len(reference), len(test))
	}
	var sig, noise float64
	for i, r := range reference {
		d := float64(test[i]) - float64(r)
		sig += float64(r) * float64(r)
		noise += d * d
	}
	if sig == 0 {
		return 0, fmt.Errorf("%w: SNR of a silent reference", ErrMeasure)
	}
	return 10 * math.Log10(sig/noise), nil
}

// ToneSNR fits a sine at freq Hz (any amplitude and phase, plus a DC offset)
// to samples taken at rate Hz by least squares, and returns the ratio in dB
// of the fitted tone's power to the power of everything else: noise,
// distortion, aliases and images (SINAD). Use it on the steady part of a
// signal, away from start-up transients; the fit is exact only over whole
// cycles, so give it many.
func ToneSNR(samples []int16, freq float64, rate int) (float64, error) {
	if len(samples) < 16 || rate <= 0 || freq <= 0 || freq >= float64(rate)/2 {
		return 0, fmt.Errorf("%w: tone SNR of %d samples at %g Hz, rate %d", ErrMeasure, len(samples), freq, rate)
	}
	// Normal equations for x ≈ a·sin + b·cos + c.
	w := 2 * math.Pi * freq / float64(rate)
	var m [3][3]float64
	var v [3]float64
	for i, s := range samples {
		basis := [3]float64{math.Sin(w * float64(i)), math.Cos(w * float64(i)), 1}
		for r := range 3 {
			for c := range 3 {
				m[r][c] += basis[r] * basis[c]
			}
			v[r] += basis[r] * float64(s)
		}
	}
	coef, ok := solve3(m, v)
	if !ok {
		return 0, fmt.Errorf("%w: tone fit is singular", ErrMeasure)
	}
	var sig, noise float64
	for i, s := range samples {
		tone := coef[0]*math.Sin(w*float64(i)) + coef[1]*math.Cos(w*float64(i))
		d := float64(s) - tone - coef[2]
		sig += tone * tone
		noise += d * d
	}
	if sig == 0 {
		return 0, fmt.Errorf("%w: no tone at %g Hz", ErrMeasure, freq)
	}
	return 10 * math.Log10(sig/noise), nil
}

// solve3 solves m·x = v by Gaussian elimination with partial pivoting.
func solve3(m [3][3]float64, v [3]float64) ([3]float64, bool) {
	for col := range 3 {
		p := col
		for r := col + 1; r < 3; r++ {
			if math.Abs(m[r][col]) > math.Abs(m[p][col]) {
				p = r
			}
		}
		if math.Abs(m[p][col]) < 1e-12 {
			return v, false
		}
		m[col], m[p] = m[p], m[col]
		v[col], v[p] = v[p], v[col]
		for r := col + 1; r < 3; r++ {
			f := m[r][col] / m[col][col]
			for c := col; c < 3; c++ {
				m[r][c] -= f * m[col][c]
			}
			v[r] -= f * v[col]
		}
	}
	var x [3]float64
	for r := 2; r >= 0; r-- {
		s := v[r]
		for c := r + 1; c < 3; c++ {
			s -= m[r][c] * x[c]
		}
		x[r] = s / m[r][r]
	}
	return x, true
}
