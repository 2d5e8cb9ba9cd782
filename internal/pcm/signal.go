package pcm

import (
	"math"
	"math/rand/v2"
)

// AppendTone appends n samples of a sine wave at freq Hz, sampled at rate
// Hz, with the given peak amplitude (1.0 is full scale), to dst. The phase
// starts at 0. Amplitudes beyond full scale clip.
func AppendTone(dst []int16, freq, amplitude float64, rate, n int) []int16 {
	if n <= 0 || rate <= 0 {
		return dst
	}
	dst = grow(dst, n)
	w := 2 * math.Pi * freq / float64(rate)
	for i := range n {
		dst = append(dst, FloatToInt16(float32(amplitude*math.Sin(w*float64(i)))))
	}
	return dst
}

// AppendNoise appends n samples of Gaussian white noise with the given RMS
// level (1.0 is full scale) to dst. The same seed gives the same noise.
func AppendNoise(dst []int16, rms float64, n int, seed uint64) []int16 {
	if n <= 0 {
		return dst
	}
	dst = grow(dst, n)
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for range n {
		dst = append(dst, FloatToInt16(float32(rms*rng.NormFloat64())))
	}
	return dst
}

// AppendSilence appends n zero samples to dst.
func AppendSilence(dst []int16, n int) []int16 {
	if n <= 0 {
		return dst
	}
	dst = grow(dst, n)
	return append(dst, make([]int16, n)...)
}

// DBToAmplitude converts a level in dB relative to full scale to a linear
// amplitude (0 dB is 1.0).
func DBToAmplitude(db float64) float64 { return math.Pow(10, db/20) }
