package vad

import (
	"encoding/binary"
	"errors"
)

// ErrOddFrame is returned by ProcessLE for a frame of an odd number of
// bytes.
var ErrOddFrame = errors.New("vad: odd number of bytes in a frame of 16-bit samples")

// ProcessLE is Process over a frame of 16-bit little-endian mono samples,
// as audio symbols carry them, read in place. Its verdicts, events and
// noise floor are Process's on the decoded samples, bit for bit; it is
// cheaper on the frames that cannot be speech (most frames of most inputs):
// a frame whose level alone rules out speech (below MinLevelDB, or less
// than ThresholdDB above the noise floor) is measured in one pass, and its
// zero-crossing rate is not measured (Last().ZCR is -1). It allocates
// nothing once it has seen a frame as long as this one.
func (d *EnergyDetector) ProcessLE(frame []byte) (Event, error) {
	switch {
	case len(frame) == 0:
		return None, ErrEmptyFrame
	case len(frame)%2 != 0:
		return None, ErrOddFrame
	}
	n := len(frame) / 2
	if d.cfg.HighPassHz > 0 || n > maxExactFrame {
		d.buf = d.buf[:0]
		for i := 0; i < len(frame); i += 2 {
			s := float64(int16(binary.LittleEndian.Uint16(frame[i:])))
			if d.cfg.HighPassHz > 0 {
				s = d.hp.step(s)
			}
			d.buf = append(d.buf, s)
		}
		level, zcr := features(d.buf)
		return d.judge(level, zcr, n), nil
	}
	sum, sq := sumsLE(frame)
	level := levelInt(sum, sq, int64(n))
	floor := d.floor
	if !d.started {
		floor = level // judge starts the floor here
	}
	zcr := -1.0
	if level >= d.cfg.MinLevelDB && level >= floor+d.cfg.ThresholdDB {
		zcr = crossingsLE(frame, sum, int64(n))
	}
	return d.judge(level, zcr, n), nil
}

// sumsLE returns the sum and the sum of squares of the 16-bit little-endian
// samples of frame (of an even length), four samples a step.
func sumsLE(frame []byte) (sum, sq int64) {
	var s0, s1, q0, q1 int64
	i := 0
	for ; i+8 <= len(frame); i += 8 {
		w := binary.LittleEndian.Uint64(frame[i:])
		a, b := int64(int16(w)), int64(int16(w>>16))
		c, e := int64(int16(w>>32)), int64(int16(w>>48))
		s0 += a + b
		s1 += c + e
		q0 += a*a + b*b
		q1 += c*c + e*e
	}
	for ; i+2 <= len(frame); i += 2 {
		v := int64(int16(binary.LittleEndian.Uint16(frame[i:])))
		s0 += v
		q0 += v * v
	}
	return s0 + s1, q0 + q1
}

// crossingsLE is featuresInt16's zero-crossing rate of the n samples of
// frame whose sum is sum: the crossings of the mean, per sample.
func crossingsLE(frame []byte, sum, n int64) float64 {
	if n < 2 {
		return 0
	}
	thr := ceilDiv(sum, n) // s ≥ mean for an integer s is s ≥ ⌈mean⌉
	sign := func(u uint64) int32 { return (int32(int16(u)) - thr) >> 31 }
	prev := sign(uint64(binary.LittleEndian.Uint16(frame)))
	crossings := int32(0)
	i := 2
	for ; i+8 <= len(frame); i += 8 {
		w := binary.LittleEndian.Uint64(frame[i:])
		a, b, c, e := sign(w), sign(w>>16), sign(w>>32), sign(w>>48)
		crossings += (a^prev)&1 + (b^a)&1 + (c^b)&1 + (e^c)&1
		prev = e
	}
	for ; i+2 <= len(frame); i += 2 {
		cur := sign(uint64(binary.LittleEndian.Uint16(frame[i:])))
		crossings += (cur ^ prev) & 1
		prev = cur
	}
	return float64(crossings) / float64(n-1)
}

// ceilDiv is ⌈a/b⌉ for b > 0, as an int32 (a/b is a mean of int16s).
func ceilDiv(a, b int64) int32 {
	q := a / b
	if a%b > 0 {
		q++
	}
	return int32(q)
}
