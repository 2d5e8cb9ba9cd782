package audio

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/playback"
)

// SpeakerConfig configures OpenSpeaker. The zero value means the defaults
// in each field's comment.
type SpeakerConfig struct {
	// Device selects the output device: "" for the system default, a
	// decimal index from Devices, or a name (exact, else a unique substring).
	Device string
	// DeviceRate is the rate the device is opened at; symbols of any rate
	// are resampled to it. Default: the device's default rate.
	DeviceRate int
	// Period is the PortAudio callback period, the granularity of Flush.
	// Default 10 ms.
	Period time.Duration
	// Latency is the suggested output latency. Default: the device's
	// default low output latency, at least DefaultOutputLatency.
	Latency time.Duration
	// Buffer bounds the queued audio. Write returns at once while there is
	// room; when the queue is full it waits (backpressure) until the
	// device has played enough, ctx is done, or Flush or Close is called.
	// Default 30 s.
	Buffer time.Duration
	// StallTimeout: when the device stops calling back for this long
	// while audio is queued, Write and Drain return an error wrapping
	// ErrDeviceLost. Default 2 s.
	StallTimeout time.Duration
	// LevelDecay is the time constant with which Level falls after the
	// output goes quiet; it should exceed the echo path's delay (output
	// latency plus the room). Default 250 ms.
	LevelDecay time.Duration
}

// Speaker defaults.
const (
	DefaultOutputBuffer = 30 * time.Second
	DefaultLevelDecay   = 250 * time.Millisecond
)

func (c SpeakerConfig) withDefaults() (SpeakerConfig, error) {
	if c.Period <= 0 {
		c.Period = DefaultPeriod
	}
	if c.Buffer <= 0 {
		c.Buffer = DefaultOutputBuffer
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = DefaultStallTimeout
	}
	if c.LevelDecay <= 0 {
		c.LevelDecay = DefaultLevelDecay
	}
	if c.DeviceRate < 0 || c.DeviceRate > 0 && (c.DeviceRate < pcm.MinRate || c.DeviceRate > pcm.MaxRate) {
		return c, fmt.Errorf("audio: speaker DeviceRate %d Hz out of range", c.DeviceRate)
	}
	return c, nil
}

// SpeakerStats counts what a Speaker has done so far. Frames are at the
// device rate.
type SpeakerStats struct {
	Played         int64         // frames of queued audio handed to the device: the played position
	PlayedDuration time.Duration // Played as time
	Queued         int           // frames waiting to be played
	QueuedDuration time.Duration // Queued as time
	// Underruns counts callbacks that ran out of queued audio right after
	// playing some, not because of Flush: a gap. The natural end of each
	// stretch of audio also counts once.
	Underruns        int64
	Flushes          int64
	FlushedFrames    int64 // frames dropped by Flush
	Callbacks        int64
	DeviceUnderflows int64 // callbacks PortAudio flagged with an output underflow
}

// A Speaker plays audio symbols on an output device. It is a
// fullduplex.Sink that never waits on real-time playback (it queues, and the
// PortAudio callback plays), a fullduplex.Flusher, and a
// fullduplex.PlaybackReporter (Played: what of each turn was heard).
//
// Write is for one goroutine at a time; Flush, Played, Level, Playing,
// Stats, Drain and Close are safe from any goroutine at any time.
type Speaker struct {
	cfg  SpeakerConfig
	dev  Device
	rate int
	c    *cstream

	// commitMu orders Flush against the publication of written samples, so
	// no sample of a flushed generation is published after the flush.
	commitMu sync.Mutex
	gen      uint64
	flushes  atomic.Int64
	flushAt  atomic.Int64   // monotonic ns of the latest Flush (benchmarks)
	turns    playback.Turns // where each recent turn lies in the ring, for Played

	turn    int  // MetaTurn of the audio Write is converting (Write's goroutine)
	hasTurn bool // the audio Write is converting has a MetaTurn (Write's goroutine)

	w     *playback.Writer // Write's conversion to the device rate (Write's goroutine)
	timer *time.Timer      // push's wait for room (Write's goroutine)

	done      chan struct{}
	closeOnce sync.Once
	closeErr  error
}

var (
	_ fullduplex.Sink    = (*Speaker)(nil)
	_ fullduplex.Flusher = (*Speaker)(nil)
)

// OpenSpeaker opens and starts an output device; it plays silence until
// audio is written. Close it when done.
func OpenSpeaker(cfg SpeakerConfig) (*Speaker, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	dev, rate, c, err := openDevice(cfg.Device, false, cfg.DeviceRate, cfg.Period, cfg.Latency, cfg.Buffer, cfg.LevelDecay)
	if err != nil {
		return nil, err
	}
	return newSpeaker(cfg, dev, rate, c), nil
}

func newSpeaker(cfg SpeakerConfig, dev Device, rate int, c *cstream) *Speaker {
	sp := &Speaker{cfg: cfg, dev: dev, rate: rate, c: c, done: make(chan struct{})}
	sp.w = playback.NewWriter(speakerRing{sp}, rate, "audio: speaker")
	return sp
}

// speakerRing is the Speaker's ring as the Output of its playback.Writer.
type speakerRing struct{ sp *Speaker }

func (r speakerRing) Generation() uint64 {
	r.sp.commitMu.Lock()
	defer r.sp.commitMu.Unlock()
	return r.sp.gen
}

func (r speakerRing) Push(ctx context.Context, gen uint64, s []int16) error {
	return r.sp.push(ctx, gen, s)
}

// Device returns the device in use.
func (sp *Speaker) Device() Device { return sp.dev }

// DeviceRate returns the rate the device was opened at.
func (sp *Speaker) DeviceRate() int { return sp.rate }

// Period returns the callback period, the granularity of Flush.
func (sp *Speaker) Period() time.Duration { return sp.cfg.Period }

// Write queues an audio Symbol (16-bit PCM of any rate and channel count;
// it is downmixed and resampled to the device) and returns without waiting
// for it to play. EventStreamEnd plays out the resampler's last few
// samples of the turn; other items (text, other events) are ignored. When
// the queue is full, Write waits for room until ctx is done; audio of a
// generation ended by Flush is dropped. (wavio.Sink converts the same way:
// both use one internal pipeline.) Errors: a malformed symbol (wrapping
// fullduplex.ErrInvalidSymbol), ErrClosed, ErrDeviceLost, ctx's error.
func (sp *Speaker) Write(ctx context.Context, item fullduplex.StreamItem) error {
	if sym, ok := item.(fullduplex.Symbol); ok && sym.Modality == fullduplex.ModalityAudio {
		if sp.closed() {
			return ErrClosed
		}
		sp.turn, sp.hasTurn = sym.Turn()
	}
	return sp.w.Write(ctx, item)
}

func (sp *Speaker) closed() bool {
	select {
	case <-sp.done:
		return true
	default:
		return false
	}
}

// push publishes s into the ring, waiting for room (polling every half
// period) while it is full. Samples of generation gen are published only
// while gen is current. It runs on Write's goroutine.
func (sp *Speaker) push(ctx context.Context, gen uint64, s []int16) error {
	if sp.closed() {
		return nil // Close dropped the queue: like a flush
	}
	if sp.c.queued() > 0 {
		if err := sp.c.lost(sp.dev.Name, sp.cfg.StallTimeout); err != nil {
			return err
		}
	}
	for {
		n := sp.c.stage(s)
		sp.commitMu.Lock()
		if sp.gen != gen {
			sp.commitMu.Unlock()
			return nil // flushed: the rest is dropped on purpose
		}
		if sp.hasTurn {
			sp.turns.Note(sp.turn, sp.c.written(), n)
		}
		sp.c.commit(n)
		sp.commitMu.Unlock()
		s = s[n:]
		if len(s) == 0 {
			return nil
		}
		if err := sp.c.lost(sp.dev.Name, sp.cfg.StallTimeout); err != nil {
			return err
		}
		wait := max(time.Millisecond, sp.cfg.Period/2)
		if sp.timer == nil {
			sp.timer = time.NewTimer(wait)
		} else {
			sp.timer.Reset(wait)
		}
		select {
		case <-ctx.Done():
			sp.timer.Stop()
			return ctx.Err()
		case <-sp.done:
			sp.timer.Stop()
			return ErrClosed
		case <-sp.timer.C:
		}
	}
}

// Flush drops every queued sample at once: the next callback, within one
// Period, plays silence, and a Write in progress drops the rest of its
// symbol. Audio written after Flush returns plays normally (the room the
// flushed audio took is free again from the next callback). It never
// blocks on the device and is safe from any goroutine.
func (sp *Speaker) Flush() {
	sp.commitMu.Lock()
	sp.gen++
	sp.turns.Cut(sp.c.stats().r)
	sp.c.flush()
	sp.flushAt.Store(int64(monotonicNow()))
	sp.commitMu.Unlock()
	sp.flushes.Add(1)
}

// Pause stops playback at once, keeping what is queued: the next callback,
// within one Period, plays silence, and Resume goes on from the first
// sample not played. Write keeps queueing meanwhile (and waits for room
// when the queue is full). Flush ends a pause, so the next turn's audio
// plays. Barge-in pauses the speaker while it tells a cough from the user
// taking the floor (bargein.Config.ResumeAfter). Safe from any goroutine.
func (sp *Speaker) Pause() { sp.c.pause(true) }

// Resume ends a Pause; it does nothing otherwise. Safe from any goroutine.
func (sp *Speaker) Resume() { sp.c.pause(false) }

// ReadReference copies into dst up to len(dst) samples of what the device
// has been given to play since the last call (mono, at DeviceRate, silence
// included): the far-end reference an echo canceller needs (see package
// audio/aec). It never blocks. The Speaker keeps at most about 2 s (or
// Buffer, if longer, up to 10 s) for the reader; older samples are dropped.
// Call it from one goroutine; ResetReference drops what is waiting, for a
// reader that starts late.
func (sp *Speaker) ReadReference(dst []int16) int { return sp.c.tapRead(dst) }

// ResetReference drops the reference samples not read yet.
func (sp *Speaker) ResetReference() { sp.c.tapReset() }

// Level returns the recent output level, linear (1.0 is full scale): the RMS
// of each callback's output, held as a peak that decays with LevelDecay.
// An echo gate compares the microphone against it.
func (sp *Speaker) Level() float64 { return sp.c.level() }

// Playing reports whether audio is queued or the last callback played some.
func (sp *Speaker) Playing() bool { return sp.c.queued() > 0 || sp.c.stats().playing }

// Stats returns the counters so far.
func (sp *Speaker) Stats() SpeakerStats {
	st := sp.c.stats()
	queued := sp.c.queued()
	return SpeakerStats{
		Played:           st.frames,
		PlayedDuration:   framesToDuration(st.frames, sp.rate),
		Queued:           queued,
		QueuedDuration:   framesToDuration(int64(queued), sp.rate),
		Underruns:        st.underruns,
		Flushes:          sp.flushes.Load(),
		FlushedFrames:    int64(st.w) - st.frames - int64(queued),
		Callbacks:        st.callbacks,
		DeviceUnderflows: st.devXruns,
	}
}

func framesToDuration(n int64, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second / time.Duration(rate)
}

// Drain waits until everything queued has been handed to the device (it
// still has its output latency to play), ctx is done, the Speaker is
// closed, or the device is lost.
func (sp *Speaker) Drain(ctx context.Context) error {
	tick := time.NewTicker(max(time.Millisecond, sp.cfg.Period/2))
	defer tick.Stop()
	for sp.c.queued() > 0 {
		if err := sp.c.lost(sp.dev.Name, sp.cfg.StallTimeout); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sp.done:
			return ErrClosed
		case <-tick.C:
		}
	}
	return nil
}

// Close stops the device at once (queued audio is dropped) and makes Write
// return ErrClosed. It is idempotent and safe from any goroutine.
func (sp *Speaker) Close() error {
	sp.closeOnce.Do(func() {
		close(sp.done)
		sp.closeErr = sp.c.close()
	})
	return sp.closeErr
}
