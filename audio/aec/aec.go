package aec

/*
#cgo pkg-config: speexdsp
#include <stdlib.h>
#include <speex/speex_echo.h>
#include <speex/speex_preprocess.h>

static SpeexEchoState *aec_new(int frame, int filter, int rate) {
	SpeexEchoState *st = speex_echo_state_init(frame, filter);
	if (st) speex_echo_ctl(st, SPEEX_ECHO_SET_SAMPLING_RATE, &rate);
	return st;
}

static SpeexPreprocessState *pre_new(int frame, int rate, SpeexEchoState *echo, int suppress, int suppressActive) {
	SpeexPreprocessState *pp = speex_preprocess_state_init(frame, rate);
	if (!pp) return NULL;
	int off = 0, on = 1;
	// speexdsp applies residual echo suppression through its noise
	// suppressor's gains: denoise must be on for it to act.
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_DENOISE, &on);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_AGC, &off);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_DEREVERB, &off);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_STATE, echo);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS, &suppress);
	speex_preprocess_ctl(pp, SPEEX_PREPROCESS_SET_ECHO_SUPPRESS_ACTIVE, &suppressActive);
	return pp;
}

static void aec_frame(SpeexEchoState *st, SpeexPreprocessState *pp, const spx_int16_t *rec, const spx_int16_t *play, spx_int16_t *out) {
	speex_echo_cancellation(st, rec, play, out);
	if (pp) speex_preprocess_run(pp, out);
}

static void aec_free(SpeexEchoState *st, SpeexPreprocessState *pp) {
	if (pp) speex_preprocess_state_destroy(pp);
	if (st) speex_echo_state_destroy(st);
}
*/
import "C"

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A Reference supplies the far-end signal: what the speaker has been given
// to play, mono at ReferenceRate. *audio.Speaker implements it.
type Reference interface {
	// ReadReference copies up to len(dst) samples played since the last
	// call into dst and returns how many; it never blocks.
	ReadReference(dst []int16) int
	// ResetReference drops the samples not read yet.
	ResetReference()
	// DeviceRate is the rate of the reference samples.
	DeviceRate() int
}

// Config configures a Canceller. The zero value means the defaults in each
// field's comment.
type Config struct {
	// FilterLength is the echo tail the adaptive filter covers; it must
	// exceed the delay between the reference and the echo at the
	// microphone. Default 200 ms.
	FilterLength time.Duration
	// Frame is the processing frame. Default 10 ms.
	Frame time.Duration
	// SuppressDB is the residual echo suppression, in dB (negative),
	// while the user is silent; SuppressActiveDB while the user talks.
	// Defaults -40 and -15 (speexdsp's).
	SuppressDB, SuppressActiveDB int
	// NoSuppression turns residual echo suppression off (linear
	// cancellation only).
	NoSuppression bool
	// MaxLead bounds how much reference may wait beyond its usual 20 ms
	// backlog (after a microphone stall, say); the oldest is dropped
	// beyond it, so the reference never trails the echo. Default 60 ms.
	MaxLead time.Duration
}

// Stats counts what a Canceller has done.
type Stats struct {
	Frames        int64 // microphone frames processed
	StarvedFrames int64 // frames processed with silence as the reference (none was ready)
	DroppedRef    int64 // reference samples dropped for running too far ahead
	StaleSymbols  int64 // symbols passed on unprocessed at the start: captured too long ago
}

// A Canceller is a fullduplex.Source of the wrapped Source's symbols with
// the echo of Reference removed from their audio (16-bit mono; the rate of
// the first audio symbol, which all must share).
//
// Next is for one goroutine at a time; Stats and Close are safe from any
// goroutine. Close frees the C state; Next after Close returns ErrClosed.
type Canceller struct {
	src fullduplex.Source
	ref Reference
	cfg Config

	mu     sync.Mutex // guards the C state against Close
	closed bool
	st     *C.SpeexEchoState
	pp     *C.SpeexPreprocessState
	rate   int
	frame  int

	rs      *pcm.Resampler // reference rate → mic rate
	refRaw  []int16
	refFIFO []int16
	in      []int16 // mic samples waiting for a whole frame
	out     []int16
	zeros   []int16
	backlog int // reference samples normally waiting

	frames, starved, dropped, stale atomic.Int64

	erleInst   float64       // smoothed echo reduction, dB
	erleActive time.Duration // far-end activity heard so far
	erle       atomic.Uint64 // math.Float64bits of the published estimate
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("aec: closed")

var _ fullduplex.Source = (*Canceller)(nil)

// New returns a Canceller over src with the far end read from ref.
func New(src fullduplex.Source, ref Reference, cfg Config) (*Canceller, error) {
	if src == nil || ref == nil {
		return nil, errors.New("aec: New needs a Source and a Reference")
	}
	if cfg.FilterLength <= 0 {
		cfg.FilterLength = 200 * time.Millisecond
	}
	if cfg.Frame <= 0 {
		cfg.Frame = 10 * time.Millisecond
	}
	if cfg.SuppressDB == 0 {
		cfg.SuppressDB = -40
	}
	if cfg.SuppressActiveDB == 0 {
		cfg.SuppressActiveDB = -15
	}
	if cfg.MaxLead <= 0 {
		cfg.MaxLead = 60 * time.Millisecond
	}
	if ref.DeviceRate() < pcm.MinRate || ref.DeviceRate() > pcm.MaxRate {
		return nil, fmt.Errorf("aec: reference rate %d Hz", ref.DeviceRate())
	}
	return &Canceller{src: src, ref: ref, cfg: cfg}, nil
}

// Filter returns an audio.Options.Filter that puts a Canceller with cfg
// between the microphone and the barge-in watcher; the output must be a
// Reference (the *audio.Speaker is).
func Filter(cfg Config) func(in fullduplex.Source, out fullduplex.Sink) (fullduplex.Source, error) {
	return func(in fullduplex.Source, out fullduplex.Sink) (fullduplex.Source, error) {
		ref, ok := out.(Reference)
		if !ok {
			return nil, fmt.Errorf("aec: the output %T does not provide a far-end reference", out)
		}
		return New(in, ref, cfg)
	}
}

// init creates the C state for mic audio at rate; c.mu is held.
func (c *Canceller) initLocked(rate int) error {
	c.rate = rate
	c.frame = max(16, int(int64(rate)*int64(c.cfg.Frame)/int64(time.Second)))
	filter := max(c.frame, int(int64(rate)*int64(c.cfg.FilterLength)/int64(time.Second)))
	c.st = C.aec_new(C.int(c.frame), C.int(filter), C.int(rate))
	if c.st == nil {
		return errors.New("aec: speexdsp could not create an echo canceller")
	}
	if !c.cfg.NoSuppression {
		c.pp = C.pre_new(C.int(c.frame), C.int(rate), c.st, C.int(c.cfg.SuppressDB), C.int(c.cfg.SuppressActiveDB))
	}
	rs, err := pcm.NewResampler(c.ref.DeviceRate(), rate)
	if err != nil {
		return fmt.Errorf("aec: %w", err)
	}
	c.rs = rs
	c.zeros = make([]int16, c.frame)
	// Pair microphone and reference sample for sample from here on. The
	// first microphone samples were captured before now, the first
	// reference samples are handed to the device from now on: the
	// reference leads the echo (causal), by the output and input
	// latencies and the room, which the filter covers. A 20 ms backlog of
	// silence absorbs the jitter between the two callbacks.
	c.ref.ResetReference()
	c.backlog = c.frame * max(1, int(20*time.Millisecond/c.cfg.Frame))
	c.refFIFO = append(c.refFIFO[:0], make([]int16, c.backlog)...)
	return nil
}

// Next returns the next symbol of the wrapped Source, with the echo removed
// from audio. Audio is processed in whole frames, so a symbol's samples may
// come out in the next one (each audio symbol keeps its length once the
// first frame is complete: the output lags the input by less than a frame).
func (c *Canceller) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := c.src.Next(ctx)
	if err != nil {
		return s, err
	}
	if s.Modality != fullduplex.ModalityAudio || len(s.Data) == 0 {
		return s, nil
	}
	rate, ch := s.SampleRate(), s.Channels()
	if ch != 1 || rate < pcm.MinRate || rate > pcm.MaxRate {
		return s, fmt.Errorf("aec: cannot process audio at %d Hz with %d channels", rate, ch)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fullduplex.Symbol{}, ErrClosed
	}
	if c.st == nil {
		// Start pairing with the reference only once the source delivers
		// fresh audio: a backlog captured before now would pair with
		// reference played long after it.
		if !s.Timestamp.IsZero() && time.Since(s.Timestamp) > c.cfg.MaxLead {
			c.stale.Add(1)
			return s, nil
		}
		if err := c.initLocked(rate); err != nil {
			return s, err
		}
	}
	if rate != c.rate {
		return s, fmt.Errorf("aec: audio at %d Hz after %d Hz", rate, c.rate)
	}
	n0 := len(s.Data) / 2
	c.in, err = pcm.DecodeInt16(c.in, s.Data)
	if err != nil {
		return s, fmt.Errorf("aec: %w", err)
	}
	c.pullReference()
	if need := (len(c.in)/c.frame)*c.frame - len(c.refFIFO); need > 0 {
		c.awaitReference(ctx, need)
	}
	for len(c.in) >= c.frame {
		c.process(c.in[:c.frame])
		c.in = c.in[:copy(c.in, c.in[c.frame:])]
	}
	// Hand out as many processed samples as came in (fewer at the start).
	k := min(n0, len(c.out))
	data := pcm.EncodeInt16(make([]byte, 0, 2*k), c.out[:k])
	c.out = c.out[:copy(c.out, c.out[k:])]
	md := make(map[string]any, len(s.Metadata))
	for key, v := range s.Metadata {
		md[key] = v
	}
	s.Data, s.Metadata = data, md
	if len(data) == 0 {
		// Nothing processed yet: wait for the next symbol.
		return c.nextLocked(ctx)
	}
	return s, nil
}

// nextLocked is Next for the rare first symbol shorter than a frame.
func (c *Canceller) nextLocked(ctx context.Context) (fullduplex.Symbol, error) {
	c.mu.Unlock()
	defer c.mu.Lock()
	return c.Next(ctx)
}

// pullReference moves what the speaker played into the FIFO at the mic rate.
func (c *Canceller) pullReference() {
	if c.refRaw == nil {
		c.refRaw = make([]int16, max(1024, c.ref.DeviceRate()/10))
	}
	for {
		n := c.ref.ReadReference(c.refRaw)
		if n == 0 {
			break
		}
		c.refFIFO = c.rs.Process(c.refFIFO, c.refRaw[:n])
	}
	maxLead := int(int64(c.rate) * int64(c.cfg.MaxLead) / int64(time.Second))
	if len(c.refFIFO) > c.backlog+maxLead {
		extra := len(c.refFIFO) - c.backlog
		c.refFIFO = c.refFIFO[:copy(c.refFIFO, c.refFIFO[extra:])]
		c.dropped.Add(int64(extra))
	}
}

// awaitReference polls for up to MaxLead until need more reference samples
// have arrived (the speaker's callback runs on its own schedule); it keeps
// the pairing of microphone and reference fixed, where padding with silence
// would shift it.
func (c *Canceller) awaitReference(ctx context.Context, need int) {
	deadline := time.Now().Add(c.cfg.MaxLead)
	have := len(c.refFIFO)
	for len(c.refFIFO) < have+need && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
		c.pullReference()
	}
}

// process cancels the echo in one frame and appends it to c.out.
func (c *Canceller) process(rec []int16) {
	if len(c.refFIFO) < c.frame {
		// The reference fell behind: pad it with silence (the pairing
		// shifts by the padding, well within the filter).
		c.starved.Add(1)
		c.refFIFO = append(c.refFIFO, c.zeros[:c.frame-len(c.refFIFO)]...)
	}
	play := c.refFIFO[:c.frame]
	start := len(c.out)
	c.out = append(c.out, c.zeros...)
	out := c.out[start:]
	C.aec_frame(c.st, c.pp,
		(*C.spx_int16_t)(unsafe.Pointer(&rec[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&play[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&out[0])))
	c.trackReduction(pcm.DBFS(play), pcm.DBFS(rec), pcm.DBFS(out))
	c.refFIFO = c.refFIFO[:copy(c.refFIFO, c.refFIFO[c.frame:])]
	c.frames.Add(1)
}

// Echo reduction tracking.
const (
	erleRefMinDB = -50.0 // the far end counts as active above this
	erleMicMinDB = -60.0 // and the microphone must hear something
	erleMaxDB    = 30.0  // never relax the gate by more
	erleTau      = 300 * time.Millisecond
	erleWarmUp   = time.Second // of far-end activity before the estimate counts
)

// trackReduction updates the echo reduction estimate from one frame's
// levels: while the far end is active, an average (300 ms) of the drop
// from microphone to output, reported only after a second of the model's
// voice. It errs low: the user talking over the model lowers it a little
// (a stricter gate), a filter that has not converged yet reports nothing.
func (c *Canceller) trackReduction(refDB, inDB, outDB float64) {
	if refDB <= erleRefMinDB || inDB <= erleMicMinDB {
		return
	}
	dur := c.cfg.Frame
	inst := min(erleMaxDB, max(0, inDB-outDB))
	c.erleInst += (inst - c.erleInst) * (1 - math.Exp(-dur.Seconds()/erleTau.Seconds()))
	c.erleActive += dur
	if c.erleActive >= erleWarmUp {
		c.erle.Store(math.Float64bits(c.erleInst))
	}
}

// EchoReductionDB estimates how many dB of echo the canceller removes (0
// until it has heard a second of the model's voice). The barge-in watcher
// subtracts it from the echo it expects (bargein.Config.EchoReduction;
// audio.Bridge wires it). Safe from any goroutine.
func (c *Canceller) EchoReductionDB() float64 {
	return math.Float64frombits(c.erle.Load())
}

// Stats returns the counters so far.
func (c *Canceller) Stats() Stats {
	return Stats{Frames: c.frames.Load(), StarvedFrames: c.starved.Load(), DroppedRef: c.dropped.Load(), StaleSymbols: c.stale.Load()}
}

// Close frees the echo canceller. It does not close the wrapped Source.
// It is idempotent.
func (c *Canceller) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		C.aec_free(c.st, c.pp)
		c.st, c.pp = nil, nil
	}
	return nil
}
