package audio

/*
#include "fdpa.h"
*/
import "C"

import (
	"fmt"
	"math"
	"runtime"
	"time"
	"unsafe"
)

// Defaults shared by the microphone and the speaker.
const (
	// DefaultStallTimeout is how long an open device may go without a
	// callback before it counts as lost.
	DefaultStallTimeout = 2 * time.Second
	// DefaultPeriod is the default callback period.
	DefaultPeriod = 10 * time.Millisecond
)

// A cstream owns one C fd_stream: the ring, the counters and, when opened on
// a device, the PortAudio stream. The ring's memory lives until the cstream
// is garbage collected, so a call after close reads a stopped ring, never
// freed memory; close is idempotent, and a cstream dropped without close has
// its stream stopped before its ring is freed (freeDropped): a leak
// backstop, not the way to close.
type cstream struct {
	s      *C.fd_stream
	pa     bool // a PortAudio stream is open; guarded by paMu
	input  bool
	ch     int
	rate   int
	period time.Duration
}

// stats is a copy of the C counters.
type stats struct {
	lastCallback time.Duration // monotonic clock of the latest callback (fd_now_ns)
	callbacks    int64
	frames       int64
	underruns    int64
	dropped      int64
	overflows    int64
	devXruns     int64
	flushCB      time.Duration
	w, r, stampW uint64
	playing      bool
}

// newCStream allocates a ring of capacity samples, not yet on a device.
func newCStream(input bool, channels, rate, capacity int, levelDecay time.Duration) (*cstream, error) {
	in := C.int(0)
	if input {
		in = 1
	}
	s := C.fd_new(in, C.int(channels), C.uint64_t(max(1, capacity)), C.double(levelDecay.Nanoseconds()))
	if s == nil {
		return nil, fmt.Errorf("audio: cannot allocate a %d-sample ring", capacity)
	}
	s.rate = C.int(rate)
	c := &cstream{s: s, input: input, ch: channels, rate: rate}
	runtime.AddCleanup(c, freeDropped, s)
	return c, nil
}

// freeDropped frees the ring of a cstream that is no longer reachable. If it
// was dropped without close, PortAudio's thread may still be calling back
// into the ring: the stream is aborted (which waits for the callback to
// return) and closed first, so the ring is never freed under it. The
// cleanup only reads the C struct it is given, never the collected
// cstream.
func freeDropped(s *C.fd_stream) {
	paMu.Lock()
	defer paMu.Unlock()
	if s.pa != nil {
		C.Pa_AbortStream(s.pa)
		C.Pa_CloseStream(s.pa)
		s.pa = nil
		releaseLocked()
	}
	C.fd_free(s)
}

// openCStream opens and starts a callback stream on dev, mono if the device
// accepts it, else stereo; paMu must be held and PortAudio acquired.
func openCStream(dev Device, input bool, rate int, period, latency time.Duration, capacity int, levelDecay time.Duration) (*cstream, error) {
	kind, maxCh := "output", dev.MaxOutputChannels
	if input {
		kind, maxCh = "input", dev.MaxInputChannels
	}
	frames := max(1, int(math.Round(float64(rate)*period.Seconds())))
	var firstErr error
	for _, ch := range []int{1, 2} {
		if ch > maxCh {
			break
		}
		c, err := newCStream(input, ch, rate, capacity, levelDecay)
		if err != nil {
			return nil, err
		}
		c.period = period
		code := C.fd_open(c.s, C.int(dev.Index), C.double(rate), C.ulong(frames), C.double(latency.Seconds()))
		if err := paError(code); err != nil {
			c.s.pa = nil
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		// The callback thread at real-time priority where the system
		// allows it (as audio servers run theirs): on a loaded machine a
		// callback that waits for the CPU is a glitch the user hears and
		// an echo the canceller must find again. Where the system refuses
		// (no RLIMIT_RTPRIO), the stream starts at normal priority.
		started := C.fd_realtime(c.s, C.int(dev.Index), 1) != 0 && C.Pa_StartStream(c.s.pa) == C.paNoError
		if !started {
			C.fd_realtime(c.s, C.int(dev.Index), 0)
			err = paError(C.Pa_StartStream(c.s.pa))
		}
		if err != nil {
			C.Pa_CloseStream(c.s.pa)
			c.s.pa = nil
			return nil, fmt.Errorf("%w: start %s device %q at %d Hz: %w", ErrDevice, kind, dev.Name, rate, err)
		}
		c.pa = true
		return c, nil
	}
	hint := ""
	if pe, ok := firstErr.(*PortAudioError); ok && pe.Code == C.paDeviceUnavailable {
		hint = " (is it in use by another program?)"
	}
	if firstErr == nil {
		firstErr = fmt.Errorf("the device has no %s channels", kind)
	}
	return nil, fmt.Errorf("%w: open %s device %q at %d Hz%s: %w", ErrDevice, kind, dev.Name, rate, hint, firstErr)
}

// openDevice initialises PortAudio for one more stream, finds the device
// selector names, and opens and starts a stream on it at rate (0: the
// device's default rate) with latency (0: the device's default low latency).
// On error nothing stays acquired. The stream's close releases PortAudio.
func openDevice(selector string, input bool, rate int, period, latency, buffer, levelDecay time.Duration) (Device, int, *cstream, error) {
	paMu.Lock()
	defer paMu.Unlock()
	if err := acquireLocked(); err != nil {
		return Device{}, 0, nil, err
	}
	dev, err := findDeviceLocked(selector, input)
	if err != nil {
		releaseLocked()
		return Device{}, 0, nil, err
	}
	if rate == 0 {
		rate = int(dev.DefaultSampleRate)
	}
	if latency <= 0 {
		latency = max(dev.DefaultLowOutputLatency, DefaultOutputLatency)
		if input {
			latency = dev.DefaultLowInputLatency
		}
	}
	c, err := openCStream(dev, input, rate, period, latency, ringSize(rate, buffer), levelDecay)
	if err != nil {
		releaseLocked()
		return Device{}, 0, nil, err
	}
	return dev, rate, c, nil
}

// close stops and closes the PortAudio stream (if any) and releases
// PortAudio. Callbacks have finished when it returns.
func (c *cstream) close() error {
	paMu.Lock()
	defer paMu.Unlock()
	if !c.pa {
		return nil
	}
	c.pa = false
	err := paError(C.Pa_AbortStream(c.s.pa))
	if cerr := paError(C.Pa_CloseStream(c.s.pa)); err == nil {
		err = cerr
	}
	c.s.pa = nil // the cleanup's sign that the stream is closed
	releaseLocked()
	if err != nil {
		return fmt.Errorf("%w: close: %w", ErrDevice, err)
	}
	return nil
}

// active reports whether PortAudio still runs the stream; a stream without a
// device (tests) counts as active.
func (c *cstream) active() bool {
	paMu.Lock()
	defer paMu.Unlock()
	if !c.pa {
		return true
	}
	return C.Pa_IsStreamActive(c.s.pa) == 1
}

func monotonicNow() time.Duration { return time.Duration(C.fd_now_ns()) }

func (c *cstream) stats() stats {
	var st C.fd_stats
	C.fd_get_stats(c.s, &st)
	return stats{
		lastCallback: time.Duration(st.last_cb_ns),
		callbacks:    int64(st.callbacks),
		frames:       int64(st.frames),
		underruns:    int64(st.underruns),
		dropped:      int64(st.dropped),
		overflows:    int64(st.overflows),
		devXruns:     int64(st.dev_xruns),
		flushCB:      time.Duration(st.flush_cb_ns),
		w:            uint64(st.w),
		r:            uint64(st.r),
		stampW:       uint64(st.stamp_w),
		playing:      st.playing != 0,
	}
}

// sinceCallback returns how long ago the latest callback ran.
func (c *cstream) sinceCallback() time.Duration {
	var st C.fd_stats
	C.fd_get_stats(c.s, &st)
	return time.Duration(C.fd_now_ns()) - time.Duration(st.last_cb_ns)
}

// lost reports an error wrapping ErrDeviceLost when the device has not
// called back for timeout or PortAudio stopped the stream by itself.
func (c *cstream) lost(name string, timeout time.Duration) error {
	since := c.sinceCallback()
	if since <= max(4*c.period, 20*time.Millisecond) {
		return nil
	}
	kind := "output"
	if c.input {
		kind = "input"
	}
	if !c.active() {
		return fmt.Errorf("%w: %s device %q: the stream stopped", ErrDeviceLost, kind, name)
	}
	if since > timeout {
		return fmt.Errorf("%w: %s device %q has not called back for %v", ErrDeviceLost, kind, name, since.Round(time.Millisecond))
	}
	return nil
}

// stage copies as much of src as fits into the ring, unpublished.
func (c *cstream) stage(src []int16) int {
	if len(src) == 0 {
		return 0
	}
	return int(C.fd_stage(c.s, (*C.int16_t)(unsafe.Pointer(&src[0])), C.uint64_t(len(src))))
}

func (c *cstream) commit(n int) { C.fd_commit(c.s, C.uint64_t(n)) }

// written returns the samples ever published (the ring's write position).
func (c *cstream) written() uint64 { return uint64(C.fd_written(c.s)) }

// read moves up to len(dst) samples out of the ring.
func (c *cstream) read(dst []int16) int {
	if len(dst) == 0 {
		return 0
	}
	return int(C.fd_read(c.s, (*C.int16_t)(unsafe.Pointer(&dst[0])), C.uint64_t(len(dst))))
}

// tapRead moves up to len(dst) samples of what the device played out of the
// playback tap.
func (c *cstream) tapRead(dst []int16) int {
	if len(dst) == 0 {
		return 0
	}
	return int(C.fd_tap_read(c.s, (*C.int16_t)(unsafe.Pointer(&dst[0])), C.uint64_t(len(dst))))
}

func (c *cstream) tapReset() { C.fd_tap_reset(c.s) }

func (c *cstream) queued() int   { return int(C.fd_queued(c.s)) }
func (c *cstream) capacity() int { return int(c.s.cap) }
func (c *cstream) flush()        { C.fd_flush(c.s) }

func (c *cstream) pause(paused bool) {
	p := 0
	if paused {
		p = 1
	}
	C.fd_pause(c.s, C.int(p))
}

// raceNextCallback makes the next playback callback commit n staged
// samples and flush between its reads of the write position and the flush
// position: the worst moment for a Flush racing it (tests only).
func (c *cstream) raceNextCallback(n int) { c.s.test_race = C.uint64_t(n) }
func (c *cstream) level() float64         { return c.levelAt(monotonicNow()) }

// levelAt is the output level at now (monotonicNow's clock).
func (c *cstream) levelAt(now time.Duration) float64 {
	return float64(C.fd_level(c.s, C.int64_t(now)))
}

// drive runs the callback by hand with frames frames of in (capture) or
// into out (playback): for tests without a device.
func (c *cstream) drive(in, out []int16, frames int, flags uint) {
	c.driveAt(in, out, frames, flags, 0)
}

// driveAt is drive as if the callback ran at now (monotonicNow's clock; 0:
// now).
func (c *cstream) driveAt(in, out []int16, frames int, flags uint, now time.Duration) {
	var pin, pout *C.int16_t
	if len(in) > 0 {
		pin = (*C.int16_t)(unsafe.Pointer(&in[0]))
	}
	if len(out) > 0 {
		pout = (*C.int16_t)(unsafe.Pointer(&out[0]))
	}
	C.fd_drive(c.s, pin, pout, C.ulong(frames), C.ulong(flags), C.int64_t(now))
}

// driveDAC runs the playback callback by hand at now (monotonicNow's
// clock), its buffer reaching the DAC dacDelay later, as PortAudio reports.
func (c *cstream) driveDAC(out []int16, frames int, now, dacDelay time.Duration) {
	C.fd_drive_dac(c.s, (*C.int16_t)(unsafe.Pointer(&out[0])), C.ulong(frames), C.int64_t(now), C.int64_t(dacDelay))
}
