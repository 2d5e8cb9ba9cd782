package vad

import "math"

// The filterbank splits an 8 kHz block into six bands by a tree of
// half-band splits (each a pair of first-order all-pass sections on the
// even and odd samples, which also halves the rate), and measures each
// band's energy in dB.

// All-pass coefficients of the two branches of a half-band split.
const (
	allPassUpper = 0.64
	allPassLower = 0.17
)

// allPass is a first-order all-pass section, y = c·x + s, s' = x - c·y.
type allPass struct{ c, s float64 }

func (a *allPass) step(x float64) float64 {
	y := a.c*x + a.s
	a.s = x - a.c*y
	return y
}

// splitter is one half-band split.
type splitter struct{ up, low allPass }

func newSplitter() splitter {
	return splitter{allPass{c: allPassUpper}, allPass{c: allPassLower}}
}

// split writes the upper and lower halves of the band in (even length)
// at half its rate into hi and lo (len(in)/2 each).
func (s *splitter) split(in, hi, lo []float64) {
	for i := range len(in) / 2 {
		u := s.up.step(in[2*i]) / 2
		l := s.low.step(in[2*i+1]) / 2
		hi[i] = u - l
		lo[i] = u + l
	}
}

// The lowest band is high-passed at 80 Hz (a biquad at its 500 Hz rate)
// before its energy is measured.
var lowBandHP = [5]float64{6631.0 / 16384, -13262.0 / 16384, 6631.0 / 16384, -7756.0 / 16384, 5620.0 / 16384} // b0 b1 b2 a1 a2

type filterbank struct {
	splits             [5]splitter
	hx1, hx2, hy1, hy2 float64 // low band high-pass state

	// scratch, for blocks of up to maxBlock samples
	a, b, c, d [maxBlock / 2]float64
}

// maxBlock is the longest block, in 8 kHz samples (20 ms).
const maxBlock = 160

func newFilterbank() filterbank {
	var f filterbank
	for i := range f.splits {
		f.splits[i] = newSplitter()
	}
	return f
}

// features returns the log energy in dB of each band of block (8 kHz,
// len a multiple of 16, at most maxBlock) plus its bandOffset, and the
// total energy of the bands.
func (f *filterbank) features(block []float64) (feat [numBands]float64, total float64) {
	n := len(block)
	hi2, lo2 := f.a[:n/2], f.b[:n/2] // 2-4 kHz, 0-2 kHz
	f.splits[0].split(block, hi2, lo2)

	hh, hl := f.c[:n/4], f.d[:n/4] // 3-4 kHz, 2-3 kHz
	f.splits[1].split(hi2, hh, hl)
	feat[5], total = logEnergy(hh, 5, total)
	feat[4], total = logEnergy(hl, 4, total)

	lh, ll := f.c[:n/4], f.d[:n/4] // 1-2 kHz, 0-1 kHz
	f.splits[2].split(lo2, lh, ll)
	feat[3], total = logEnergy(lh, 3, total)

	h, l := f.a[:n/8], f.b[:n/8] // 500-1000 Hz, 0-500 Hz
	f.splits[3].split(ll, h, l)
	feat[2], total = logEnergy(h, 2, total)

	h2, l2 := f.c[:n/16], f.d[:n/16] // 250-500 Hz, 0-250 Hz
	f.splits[4].split(l, h2, l2)
	feat[1], total = logEnergy(h2, 1, total)

	low := f.a[:n/16] // 80-250 Hz
	c := &lowBandHP
	for i, x := range l2 {
		y := c[0]*x + c[1]*f.hx1 + c[2]*f.hx2 - c[3]*f.hy1 - c[4]*f.hy2
		f.hx2, f.hx1 = f.hx1, x
		f.hy2, f.hy1 = f.hy1, y
		low[i] = y
	}
	feat[0], total = logEnergy(low, 0, total)
	return feat, total
}

// logEnergy returns 10·log10 of the energy of x (at least 0) plus the
// band's offset, and total plus the energy.
func logEnergy(x []float64, band int, total float64) (float64, float64) {
	var e float64
	for _, v := range x {
		e += v * v
	}
	db := 0.0
	if e > 1 {
		db = 10 * math.Log10(e)
	}
	return db + bandOffset[band], total + e
}

func (f *filterbank) reset() { *f = newFilterbank() }
