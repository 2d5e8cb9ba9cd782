package pcm

import "math"

// Filter parameters. The transition band lies just below the lower Nyquist
// frequency: for 48 kHz -> 16 kHz it runs from about 6.9 kHz to 8 kHz, so
// nothing above 8 kHz aliases into the output by more than -StopbandDB.
const (
	// zeroCrossings is the filter half-width in samples of the lower rate.
	zeroCrossings = 32
	// stopbandDB is the Kaiser design attenuation.
	stopbandDB = 90.0
	// maxExactTable bounds the coefficient table (in float32s) of the
	// exact polyphase bank; beyond it rows are interpolated.
	maxExactTable = 1 << 18
	// interpPhases is the number of rows of an interpolated bank.
	interpPhases = 512
)

// design fills the polyphase coefficient bank.
func (r *Resampler) design() {
	scale := math.Min(1, float64(r.outRate)/float64(r.inRate)) // low rate / input rate
	// Kaiser: transition width (fraction of the low rate) for a filter
	// spanning 2*zeroCrossings low-rate samples.
	beta := 0.1102 * (stopbandDB - 8.7)
	trans := (stopbandDB - 7.95) / (14.36 * 2 * zeroCrossings)
	cutoff := (0.5 - trans/2) * scale  // -6 dB point, cycles per input sample
	halfWidth := zeroCrossings / scale // in input samples
	r.half = int(math.Ceil(halfWidth))
	r.taps = 2 * r.half

	phaseOf := func(row int) float64 { return float64(row) / float64(r.l) }
	if r.l*r.taps <= maxExactTable {
		r.exact = true
		r.rows = r.l
	} else {
		r.rows = interpPhases + 1
		phaseOf = func(row int) float64 { return float64(row) / interpPhases }
	}
	r.coef = make([]float32, r.rows*r.taps)
	i0beta := besselI0(beta)
	row64 := make([]float64, r.taps)
	for row := range r.rows {
		frac := phaseOf(row)
		var sum float64
		for j := range row64 {
			tau := frac + float64(r.half-1-j) // output time minus tap time
			x := tau / halfWidth
			h := 0.0
			if x > -1 && x < 1 {
				h = 2 * cutoff * sinc(2*cutoff*tau) * besselI0(beta*math.Sqrt(1-x*x)) / i0beta
			}
			row64[j] = h
			sum += h
		}
		// Unity gain at DC in every phase.
		for j, h := range row64 {
			r.coef[row*r.taps+j] = float32(h / sum)
		}
	}
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	return math.Sin(math.Pi*x) / (math.Pi * x)
}

// besselI0 is the zeroth-order modified Bessel function of the first kind.
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 200; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}
