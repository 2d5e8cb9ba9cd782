package aec

import "math"

// estimateDelay finds where the far end's echo sits in the microphone: the
// offset d (in samples) such that mic[i] resembles ref[i+d] scaled, for
// mic, a window of microphone samples starting at index micAt, and ref, the
// reference history starting at index refAt (both indices count samples of
// their own stream). It searches d in [dMin, dMax] in two passes: the
// Pearson correlation of 1 ms energy envelopes over the whole range, then
// the normalised correlation of the samples within two blocks of the best
// envelope lag. It returns the lag and the magnitude of that correlation
// (0 to 1; the echo's polarity does not matter), ok false when the window
// has no usable far-end signal at any lag in range.
//
// scratch is reused between calls.
func estimateDelay(mic []int16, micAt int64, ref []int16, refAt int64, dMin, dMax int64, block int, scratch *delayScratch) (d int64, corr float64, ok bool) {
	nb := len(mic) / block
	if nb < 8 || dMax < dMin {
		return 0, 0, false
	}
	n := nb * block
	mic = mic[:n]
	// Ref index of envelope block j of lag d: micAt + d + j*block. Coarse
	// lags are whole blocks.
	lo, hi := floorDiv(dMin, int64(block)), floorDiv(dMax, int64(block))
	me := envelope(scratch.me[:0], mic, block)
	scratch.me = me
	mm := mean(me)
	var mvar float64
	for i := range me {
		me[i] -= mm
		mvar += me[i] * me[i]
	}
	if mvar == 0 {
		return 0, 0, false
	}
	// Envelope of the reference from the first to the last block any lag
	// needs, on the grid of micAt.
	first := micAt + lo*int64(block) // ref index of the first block
	if first < refAt {
		skip := ceilDiv(refAt-first, int64(block))
		lo += skip
		first += skip * int64(block)
	}
	last := micAt + hi*int64(block) + int64(n) // one past the last sample
	if end := refAt + int64(len(ref)); last > end {
		hi -= ceilDiv(last-end, int64(block))
		last = micAt + hi*int64(block) + int64(n)
	}
	if hi < lo {
		return 0, 0, false
	}
	re := envelope(scratch.re[:0], ref[first-refAt:last-refAt], block)
	scratch.re = re
	bestLag, best := int64(0), -2.0
	var sum, sum2 float64
	for j := 0; j < nb; j++ {
		sum += re[j]
		sum2 += re[j] * re[j]
	}
	for l := lo; l <= hi; l++ {
		j0 := int(l - lo)
		if j0 > 0 {
			out, in := re[j0-1], re[j0+nb-1]
			sum += in - out
			sum2 += in*in - out*out
		}
		rvar := sum2 - sum*sum/float64(nb)
		if rvar <= 1e-9*float64(nb) {
			continue
		}
		var cross float64
		for j, m := range me {
			cross += m * re[j0+j]
		}
		if c := cross / math.Sqrt(mvar*rvar); c > best {
			best, bestLag = c, l
		}
	}
	if best < 0 {
		return 0, 0, false
	}
	// Fine: sample lags within two blocks of the envelope's best.
	var mpow float64
	for _, v := range mic {
		mpow += float64(v) * float64(v)
	}
	if mpow == 0 {
		return 0, 0, false
	}
	c0 := bestLag * int64(block)
	fine, fineLag := -1.0, int64(0)
	for dd := c0 - 2*int64(block); dd <= c0+2*int64(block); dd++ {
		if dd < dMin || dd > dMax {
			continue
		}
		s := micAt + dd - refAt
		if s < 0 || s+int64(n) > int64(len(ref)) {
			continue
		}
		r := ref[s : s+int64(n)]
		var cross, rpow float64
		for i, v := range mic {
			x := float64(r[i])
			cross += float64(v) * x
			rpow += x * x
		}
		if rpow == 0 {
			continue
		}
		if c := math.Abs(cross) / math.Sqrt(mpow*rpow); c > fine {
			fine, fineLag = c, dd
		}
	}
	if fine < 0 {
		return 0, 0, false
	}
	return fineLag, fine, true
}

// delayScratch holds estimateDelay's buffers.
type delayScratch struct{ me, re []float64 }

// envelope appends the mean magnitude of each block of x to dst.
func envelope(dst []float64, x []int16, block int) []float64 {
	for i := 0; i+block <= len(x); i += block {
		var s float64
		for _, v := range x[i : i+block] {
			s += math.Abs(float64(v))
		}
		dst = append(dst, s/float64(block))
	}
	return dst
}

func mean(x []float64) float64 {
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func ceilDiv(a, b int64) int64 { return -floorDiv(-a, b) }
