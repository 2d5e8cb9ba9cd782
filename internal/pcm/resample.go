package pcm

import (
	"errors"
	"fmt"
)

// ErrRate is returned for a sample rate outside [MinRate, MaxRate].
var ErrRate = errors.New("pcm: unsupported sample rate")

// Sample rates a Resampler accepts.
const (
	MinRate = 1000
	MaxRate = 768000
)

// A Resampler converts a stream of mono audio from one sample rate to
// another. It is stateful: successive calls to Process continue the same
// signal, so splitting the input into chunks of any size gives the same
// output (bit for bit) as processing it whole. Flush emits the filter's tail
// at the end of a stream; Reset drops all state at once (for example on
// barge-in) so the next Process starts a new stream.
//
// The filter is a Kaiser-windowed sinc evaluated as a polyphase bank, with
// its cutoff below the lower of the two Nyquist frequencies, so downsampling
// is anti-aliased and upsampling suppresses images. Output sample n
// corresponds exactly to input time n·inRate/outRate (no group delay); the
// cost is a latency of FilterHalfWidth input samples before an output can be
// computed.
//
// A Resampler is not safe for concurrent use; use one per stream.
type Resampler struct {
	inRate, outRate int
	passthrough     bool

	l, m     int // outRate/g and inRate/g: output n is at input time n*m/l
	stepInt  int // m / l
	stepFrac int // m % l
	half     int // K: taps on each side; window is 2K taps
	taps     int
	exact    bool      // one coefficient row per phase; else interpolate rows
	rows     int       // rows in coef (exact: l; interpolated: interpPhases+1)
	coef     []float32 // rows*taps

	buf   []float32 // input history; buf[pos] is the integer part of the next output time
	pos   int
	phase int // fractional part of the next output time, in units of 1/l
}

// NewResampler returns a Resampler from inRate to outRate (samples per
// second, each in [MinRate, MaxRate]). Equal rates pass samples through
// unchanged.
func NewResampler(inRate, outRate int) (*Resampler, error) {
	for _, rate := range []int{inRate, outRate} {
		if rate < MinRate || rate > MaxRate {
			return nil, fmt.Errorf("%w: %d Hz (want %d to %d)", ErrRate, rate, MinRate, MaxRate)
		}
	}
	r := &Resampler{inRate: inRate, outRate: outRate}
	if inRate == outRate {
		r.passthrough = true
		return r, nil
	}
	g := gcd(inRate, outRate)
	r.l, r.m = outRate/g, inRate/g
	r.stepInt, r.stepFrac = r.m/r.l, r.m%r.l
	r.design()
	r.Reset()
	return r, nil
}

// InRate returns the input sample rate.
func (r *Resampler) InRate() int { return r.inRate }

// OutRate returns the output sample rate.
func (r *Resampler) OutRate() int { return r.outRate }

// FilterHalfWidth returns the number of input samples the filter reaches on
// each side of an output instant: the Resampler's latency, in input samples,
// before Flush. It is 0 for equal rates.
func (r *Resampler) FilterHalfWidth() int { return r.half }

// Reset drops all buffered input and filter state, so the next Process call
// starts a new stream (as if the Resampler were new). Use it to discard
// audio at once, for example when playback is flushed on barge-in.
func (r *Resampler) Reset() {
	if r.passthrough {
		return
	}
	// K-1 zeros of history before the first sample: output 0 is centred on
	// input sample 0.
	r.buf = grow(r.buf[:0], 4*r.taps)[:r.half-1]
	clear(r.buf)
	r.pos = r.half - 1
	r.phase = 0
}

// Process resamples src, the next chunk of the stream, and appends the
// output samples that are now complete to dst, returning the extended
// slice. Samples near the end of src are held until later input (or Flush)
// completes their filter window. With a reused dst it allocates nothing in
// steady state.
func (r *Resampler) Process(dst, src []int16) []int16 {
	if r.passthrough {
		return append(dst, src...)
	}
	r.buf = Int16ToFloat32(r.buf, src)
	dst = grow(dst, r.pending())
	for {
		v, ok := r.next()
		if !ok {
			break
		}
		dst = append(dst, FloatToInt16(v))
	}
	r.compact()
	return dst
}

// ProcessFloat32 is Process for float32 samples (full scale ±1.0). The
// output is not clipped. Process and ProcessFloat32 may be mixed on one
// stream.
func (r *Resampler) ProcessFloat32(dst, src []float32) []float32 {
	if r.passthrough {
		return append(dst, src...)
	}
	r.buf = append(r.buf, src...)
	dst = grow(dst, r.pending())
	for {
		v, ok := r.next()
		if !ok {
			break
		}
		dst = append(dst, v)
	}
	r.compact()
	return dst
}

// Flush ends the stream: it appends to dst the output samples still held
// back, computed as if silence followed the input, and then resets the
// Resampler. Over a whole stream, Process calls plus Flush produce
// ceil(n·outRate/inRate) samples for n input samples.
func (r *Resampler) Flush(dst []int16) []int16 {
	if r.passthrough {
		return dst
	}
	end := r.flushStart()
	dst = grow(dst, r.pending())
	for r.pos < end {
		v, _ := r.next()
		dst = append(dst, FloatToInt16(v))
	}
	r.Reset()
	return dst
}

// FlushFloat32 is Flush for float32 output.
func (r *Resampler) FlushFloat32(dst []float32) []float32 {
	if r.passthrough {
		return dst
	}
	end := r.flushStart()
	dst = grow(dst, r.pending())
	for r.pos < end {
		v, _ := r.next()
		dst = append(dst, v)
	}
	r.Reset()
	return dst
}

// flushStart pads the history with K zeros, enough to compute every output
// whose instant lies before the end of the real input, and returns the
// buffer index just past the real input.
func (r *Resampler) flushStart() int {
	end := len(r.buf)
	r.buf = grow(r.buf, r.half)
	r.buf = r.buf[:end+r.half]
	clear(r.buf[end:])
	return end
}

// pending estimates how many outputs the buffered input can produce.
func (r *Resampler) pending() int {
	avail := len(r.buf) - r.pos
	if avail <= 0 {
		return 0
	}
	return int(int64(avail)*int64(r.l)/int64(r.m)) + 1
}

// next computes the next output sample if its filter window is complete.
func (r *Resampler) next() (float32, bool) {
	if r.pos+r.half >= len(r.buf) {
		return 0, false
	}
	x := r.buf[r.pos-(r.half-1) : r.pos+r.half+1]
	var v float32
	if r.exact {
		row := r.coef[r.phase*r.taps : (r.phase+1)*r.taps]
		v = dot(x, row)
	} else {
		pf := float64(r.phase) * interpPhases / float64(r.l)
		i := int(pf)
		f := float32(pf - float64(i))
		a := r.coef[i*r.taps : (i+1)*r.taps]
		b := r.coef[(i+1)*r.taps : (i+2)*r.taps]
		v = dotInterp(x, a, b, f)
	}
	r.phase += r.stepFrac
	r.pos += r.stepInt
	if r.phase >= r.l {
		r.phase -= r.l
		r.pos++
	}
	return v, true
}

// compact drops history no future output needs.
func (r *Resampler) compact() {
	drop := min(r.pos-(r.half-1), len(r.buf))
	if drop <= 0 {
		return
	}
	n := copy(r.buf, r.buf[drop:])
	r.buf = r.buf[:n]
	r.pos -= drop
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// dot returns the inner product of x and c; len(x) >= len(c).
func dot(x, c []float32) float32 {
	x = x[:len(c)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(c); i += 4 {
		s0 += x[i] * c[i]
		s1 += x[i+1] * c[i+1]
		s2 += x[i+2] * c[i+2]
		s3 += x[i+3] * c[i+3]
	}
	for ; i < len(c); i++ {
		s0 += x[i] * c[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// dotInterp returns the inner product of x with the row a + f·(b-a).
func dotInterp(x, a, b []float32, f float32) float32 {
	x = x[:len(a)]
	b = b[:len(a)]
	var s0, s1 float32
	for i := range a {
		s0 += x[i] * a[i]
		s1 += x[i] * b[i]
	}
	return s0 + f*(s1-s0)
}
