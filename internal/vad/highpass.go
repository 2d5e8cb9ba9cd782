package vad

import "math"

// A highPass is a second-order Butterworth high-pass filter (a biquad,
// direct form I) that keeps its state across frames.
type highPass struct {
	b0, b1, b2, a1, a2 float64
	x1, x2, y1, y2     float64
}

// newHighPass returns a filter with cut-off hz (-3 dB) at rate Hz;
// 0 < hz < rate/2.
func newHighPass(hz float64, rate int) highPass {
	w := 2 * math.Pi * hz / float64(rate)
	alpha := math.Sin(w) / math.Sqrt2 // Q = 1/√2
	cos := math.Cos(w)
	a0 := 1 + alpha
	return highPass{
		b0: (1 + cos) / 2 / a0,
		b1: -(1 + cos) / a0,
		b2: (1 + cos) / 2 / a0,
		a1: -2 * cos / a0,
		a2: (1 - alpha) / a0,
	}
}

// step filters one sample.
func (f *highPass) step(x float64) float64 {
	y := f.b0*x + f.b1*f.x1 + f.b2*f.x2 - f.a1*f.y1 - f.a2*f.y2
	f.x2, f.x1 = f.x1, x
	f.y2, f.y1 = f.y1, y
	return y
}

// reset clears the state, keeping the coefficients.
func (f *highPass) reset() { f.x1, f.x2, f.y1, f.y2 = 0, 0, 0, 0 }
