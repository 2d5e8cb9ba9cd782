package vadeval

import (
	"math"
	"math/rand/v2"
)

// BrownNoise returns n samples of brown (red, 1/f²) noise with the given RMS
// (1.0 is full scale): white noise integrated by a leaky integrator (pole
// at 0.999, so the spectrum flattens below about 2.5 Hz at 16 kHz instead
// of drifting). The same seed gives the same noise.
func BrownNoise(n int, rms float64, seed uint64) []int16 {
	rng := rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))
	v := make([]float64, n)
	var acc, energy float64
	for i := range v {
		acc = 0.999*acc + rng.NormFloat64()
		v[i] = acc
		energy += acc * acc
	}
	out := make([]int16, n)
	if n == 0 || energy == 0 {
		return out
	}
	g := rms * 32768 / math.Sqrt(energy/float64(n))
	for i, x := range v {
		out[i] = clip(g * x)
	}
	return out
}
