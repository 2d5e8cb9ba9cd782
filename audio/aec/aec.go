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

// A GlitchCounter is a Reference that also counts its device's glitches
// (output underflows): each one may have played silence that ReadReference
// never returns, so that the echo now trails the reference by an unknown
// time. The Canceller holds its filter and re-measures the echo delay after
// each. *audio.Speaker implements it.
type GlitchCounter interface {
	ReferenceGlitches() int64
}

// An InputGlitchCounter is a Source that counts the audio it dropped
// (microphone overflows): after each, the microphone stream has jumped
// ahead of the reference, and the Canceller holds its filter and
// re-measures the echo delay. *audio.Microphone implements it.
type InputGlitchCounter interface {
	InputGlitches() int64
}

// Config configures a Canceller. The zero value means the defaults in each
// field's comment.
type Config struct {
	// FilterLength is the echo tail the adaptive filter covers, from the
	// echo's measured delay on (see MaxDelay). Default 200 ms.
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
	// MaxWait bounds how long Next waits for the reference that pairs with
	// a microphone frame (the speaker's callback runs on its own
	// schedule); after it the frame is processed with silence for the
	// missing part. Default 40 ms.
	MaxWait time.Duration
	// MaxDelay bounds the change of echo delay the canceller follows:
	// it measures the delay between the reference and the echo from the
	// signals themselves (a device glitch, a scheduling stall or clock
	// drift shifts it) and re-aligns the reference so the echo always
	// falls at the start of the filter. Default 1 s.
	MaxDelay time.Duration
}

// Stats counts what a Canceller has done.
type Stats struct {
	Frames        int64 // microphone frames processed
	StarvedFrames int64 // frames processed with (part) silence as the reference: it was not ready within MaxWait
	HeldFrames    int64 // frames processed with the filter held (silence as the reference) while re-measuring the echo delay
	StaleSymbols  int64 // symbols passed on unprocessed at the start: captured too long ago
	Glitches      int64 // device glitches the Reference reported
	InputGlitches int64 // overflows the Source reported (audio dropped)
	Realignments  int64 // times the reference was re-aligned to a newly measured echo delay
	// EchoLeaks counts frames whose output stayed far above the echo
	// reduction estimate and resembled the reference: echo the filter did
	// not remove (it moved the estimate at once), not the user's voice.
	EchoLeaks int64
	// EchoPathGainDB is the learned level of the echo at the microphone
	// relative to the reference, dB; 0 until learned.
	EchoPathGainDB float64
	// NoEcho reports that the microphone has heard 600 ms in a row of the
	// model's voice without any echo of it, and no echo delay was ever
	// measured (see EchoLossDB).
	NoEcho bool
	// Delay is the latest measured delay from the reference to its echo
	// in the microphone stream (sample counts, not clock time); 0 until
	// measured.
	Delay time.Duration
}

// A Canceller is a fullduplex.Source of the wrapped Source's symbols with
// the echo of Reference removed from their audio (16-bit mono; the rate of
// the first audio symbol, which all must share).
//
// It pairs each microphone sample with a reference sample by count (exact
// while both devices run without a gap), at an offset it measures and
// re-measures from the signals: the offset at which the microphone best
// correlates with the reference, less a small margin, so that the echo
// sits at the start of the adaptive filter. A reference glitch reported
// by the Reference (GlitchCounter), or a measured change of delay, holds
// the filter (it does not adapt to a misaligned reference) and drops the
// reported echo reduction to 0 until the new delay is confirmed.
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

	rs     *pcm.Resampler // reference rate → mic rate
	refRaw []int16
	// refHist is the reference at the mic rate; refHist[0] has index refAt.
	refHist []int16
	refAt   int64
	// micHist holds the latest processed microphone samples, for the delay
	// estimate; micHist[0] has index micAt.
	micHist []int16
	micAt   int64
	in      []int16 // mic samples waiting for a whole frame; in[0] has index micN
	micN    int64
	out     []int16
	zeros   []int16
	play    []int16

	// Alignment: microphone sample i pairs with reference sample i+shift.
	shift       int64
	lag         int64 // measured echo offset: mic[i] ~ ref[i+lag]
	measured    bool  // lag has been measured and confirmed
	hold        bool  // the alignment is suspect: hold the filter, report no reduction
	cand        int64 // an estimate awaiting confirmation
	haveCand    bool
	sinceEst    int   // samples since the last estimate
	notBefore   int64 // after a glitch: the earliest mic index an estimate's window may start at
	glitches    int64
	inGlitch    int64 // the Source's InputGlitches at the latest check
	scratch     delayScratch
	leakScratch delayScratch
	outHist     []int16 // the latest output samples (leakWindow), for residualCorrelation

	frames, starved, held, stale, glitchN, inGlitchN, realigned, delayNS atomic.Int64

	erleInst    float64       // smoothed echo reduction, dB
	erleActive  time.Duration // far-end activity heard since the latest (re)alignment
	erleQuick   bool          // the filter had converged before the latest hold: re-measure quickly
	erleWarm    bool          // the estimate has been published since the latest (re)alignment
	leak        int           // consecutive frames far below the estimate: echo leaking, or the user
	echoLeak    int           // of them, consecutive ones that resemble the reference: echo leaking
	leakDue     bool          // leak has just reached leakFrames: estimate the delay now
	leakCut     bool          // the estimate was cut for leaking echo and has not recovered since
	leakFrom    float64       // the estimate before the run of frames that cut it
	leakCutAt   int64         // mic index of the frame that cut it
	leakCheck   bool          // a delay estimate over a window after the cut is to check it
	leakTrust   int64         // mic index before which frames that resemble the reference count as the user
	pathGain    float64       // smoothed echo path gain (microphone level less reference level), dB
	pathActive  time.Duration // of frames the path gain was learned from
	echoLeaks   atomic.Int64  // frames far below the estimate that resemble the reference
	erle        atomic.Uint64 // math.Float64bits of the published estimate
	pathGainPub atomic.Uint64 // math.Float64bits of pathGain once learned
	quiet       time.Duration // far-end activity in a row the microphone heard no echo of, while no delay is measured
	noEcho      atomic.Bool   // quiet reached noEchoAfter and no delay has been measured
}

// ErrClosed is returned by Next after Close.
var ErrClosed = errors.New("aec: closed")

var _ fullduplex.Source = (*Canceller)(nil)

// Alignment constants.
const (
	staleAfter      = 60 * time.Millisecond  // a first symbol captured longer ago is passed on unprocessed
	alignMargin     = 10 * time.Millisecond  // the echo sits this far into the filter
	estWindow       = 256 * time.Millisecond // of microphone audio per delay estimate
	estWindowFast   = 128 * time.Millisecond // while held: less, to resume sooner
	estSureCorr     = 0.9                    // while held, one estimate this good is enough
	estSmallMove    = 5 * time.Millisecond   // a move this small re-aligns without holding
	leakFrames      = 3                      // frames far below the reduction estimate that trigger an estimate
	estEvery        = 250 * time.Millisecond // between estimates once aligned
	estEveryFast    = 50 * time.Millisecond  // between estimates while unaligned or held
	leakCheckWindow = 64 * time.Millisecond  // of microphone audio after a cut for leaking echo that checks it
	estMinCorr      = 0.5                    // correlation an estimate needs to count
	estMinRefDB     = -50.0                  // the far end must be this loud in the window
	estTolerance    = 2                      // samples: estimates this close agree
	histKeep        = 2500 * time.Millisecond
)

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
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 40 * time.Millisecond
	}
	if cfg.MaxDelay <= 0 {
		cfg.MaxDelay = time.Second
	}
	if ref.DeviceRate() < pcm.MinRate || ref.DeviceRate() > pcm.MaxRate {
		return nil, fmt.Errorf("aec: reference rate %d Hz", ref.DeviceRate())
	}
	return &Canceller{src: src, ref: ref, cfg: cfg}, nil
}

// Filter returns an audio.Config.Filter that puts a Canceller with cfg
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

// samples converts d to samples at the mic rate.
func (c *Canceller) samples(d time.Duration) int {
	return int(int64(c.rate) * int64(d) / int64(time.Second))
}

// initLocked creates the C state for mic audio at rate; c.mu is held.
func (c *Canceller) initLocked(rate int) error {
	c.rate = rate
	c.frame = max(16, c.samples(c.cfg.Frame))
	filter := max(c.frame, c.samples(c.cfg.FilterLength))
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
	c.play = make([]int16, c.frame)
	// Until the delay is measured, pair by count from here on: the first
	// microphone samples were captured before now, the first reference
	// samples are handed to the device from now on, so the reference leads
	// the echo (causal) by the output and input latencies and the room;
	// 20 ms more absorbs the jitter between the two callbacks.
	c.ref.ResetReference()
	if g, ok := c.ref.(GlitchCounter); ok {
		c.glitches = g.ReferenceGlitches()
	}
	if g, ok := c.src.(InputGlitchCounter); ok {
		c.inGlitch = g.InputGlitches()
	}
	c.shift = -int64(c.samples(20 * time.Millisecond))
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
		if !s.Timestamp.IsZero() && time.Since(s.Timestamp) > staleAfter {
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
	if g, ok := c.src.(InputGlitchCounter); ok {
		if n := g.InputGlitches(); n != c.inGlitch {
			// Audio was dropped before this symbol: what follows pairs with
			// reference played later than the count says.
			c.inGlitchN.Add(n - c.inGlitch)
			c.inGlitch = n
			c.notBefore = c.micN + int64(len(c.in))
			c.suspect()
		}
	}
	n0 := len(s.Data) / 2
	c.in, err = pcm.DecodeInt16(c.in, s.Data)
	if err != nil {
		return s, fmt.Errorf("aec: %w", err)
	}
	c.pullReference()
	whole := (len(c.in) / c.frame) * c.frame
	if need := c.micN + int64(whole) + c.shift - (c.refAt + int64(len(c.refHist))); whole > 0 && need > 0 {
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

// pullReference appends what the speaker played to the history at the mic
// rate, drops history older than any alignment can use, and notes the
// Reference's glitches.
func (c *Canceller) pullReference() {
	if c.refRaw == nil {
		c.refRaw = make([]int16, max(1024, c.ref.DeviceRate()/10))
	}
	for {
		n := c.ref.ReadReference(c.refRaw)
		if n == 0 {
			break
		}
		c.refHist = c.rs.Process(c.refHist, c.refRaw[:n])
	}
	if keep := c.samples(histKeep + c.cfg.MaxDelay); len(c.refHist) > 2*keep {
		drop := len(c.refHist) - keep
		c.refHist = c.refHist[:copy(c.refHist, c.refHist[drop:])]
		c.refAt += int64(drop)
	}
	if g, ok := c.ref.(GlitchCounter); ok {
		if n := g.ReferenceGlitches(); n != c.glitches {
			// The silence the device played came before the samples just
			// read (or the next callback's): their echo, wherever it is
			// now, comes no earlier than the old delay puts it.
			end := c.refAt + int64(len(c.refHist)) + int64(c.samples(20*time.Millisecond))
			c.notBefore = end - c.shift + int64(c.samples(alignMargin))
			c.glitchN.Add(n - c.glitches)
			c.glitches = n
			c.suspect()
		}
	}
}

// suspect marks the alignment as doubtful: the filter holds and the
// reported reduction is 0 until an estimate confirms a delay.
//
// It also takes back a finding of no echo path: the microphone's silence
// was judged against a pairing that may have been wrong all along (a
// microphone that dropped audio pairs with reference played long before
// its echo), so it must be heard again for 600 ms.
func (c *Canceller) suspect() {
	c.quiet = 0
	c.noEcho.Store(false)
	c.hold = true
	c.haveCand = false
	c.sinceEst = c.samples(estEvery) // estimate at the next chance
	c.restartReduction()
}

// restartReduction reports no reduction until it is measured again: fast
// (150 ms of far-end speech) if the filter had converged, since a
// re-alignment restores what it learned.
func (c *Canceller) restartReduction() {
	c.erleQuick = c.erleQuick || c.erleWarm
	c.erleWarm = false
	c.erleInst, c.erleActive = 0, 0
	c.leakCut, c.leakCheck, c.leakTrust = false, false, 0
	c.publishReduction(0)
}

// awaitReference polls for up to MaxWait until need more reference samples
// have arrived (the speaker's callback runs on its own schedule).
func (c *Canceller) awaitReference(ctx context.Context, need int64) {
	deadline := time.Now().Add(c.cfg.MaxWait)
	want := c.refAt + int64(len(c.refHist)) + need
	for c.refAt+int64(len(c.refHist)) < want && time.Now().Before(deadline) && ctx.Err() == nil {
		time.Sleep(time.Millisecond)
		c.pullReference()
	}
}

// process cancels the echo in one frame and appends it to c.out.
func (c *Canceller) process(rec []int16) {
	play := c.play
	r0 := c.micN + c.shift - c.refAt
	missing := false
	for j := range play {
		if k := r0 + int64(j); k >= 0 && k < int64(len(c.refHist)) {
			play[j] = c.refHist[k]
		} else {
			play[j] = 0
			missing = missing || k >= int64(len(c.refHist))
		}
	}
	refDB := pcm.DBFS(play)
	if c.hold {
		// Do not let the filter adapt to a reference that may be
		// misaligned: it keeps what it learned for when the delay is
		// measured again.
		copy(play, c.zeros)
		c.held.Add(1)
	} else if missing {
		c.starved.Add(1)
	}
	start := len(c.out)
	c.out = append(c.out, c.zeros...)
	out := c.out[start:]
	C.aec_frame(c.st, c.pp,
		(*C.spx_int16_t)(unsafe.Pointer(&rec[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&play[0])),
		(*C.spx_int16_t)(unsafe.Pointer(&out[0])))
	c.trackSilence(refDB, pcm.DBFS(rec))
	c.outHist = append(c.outHist, out...)
	if w := c.samples(leakWindow); len(c.outHist) > w {
		c.outHist = c.outHist[:copy(c.outHist, c.outHist[len(c.outHist)-w:])]
	}
	if !c.hold {
		c.trackReduction(refDB, pcm.DBFS(rec), pcm.DBFS(out), c.residualCorrelation)
	}
	c.micHist = append(c.micHist, rec...)
	c.micN += int64(len(rec))
	if w := c.samples(estWindow); len(c.micHist) > 2*w {
		drop := len(c.micHist) - w
		c.micHist = c.micHist[:copy(c.micHist, c.micHist[drop:])]
		c.micAt += int64(drop)
	}
	c.frames.Add(1)
	c.sinceEst += len(rec)
	every := estEvery
	if c.hold || !c.measured {
		every = estEveryFast
	}
	// While the echo leaks, re-measure often: it may have moved (with no
	// glitch reported, e.g. a few milliseconds inside the sound server).
	// And check a cut for leaking echo as soon as a window after it allows.
	urgent := c.leakDue || c.leakCheckDue() || c.echoLeak > leakFrames && c.sinceEst >= c.samples(estEveryFast)
	if c.sinceEst >= c.samples(every) || urgent {
		c.sinceEst, c.leakDue = 0, false
		c.estimate(urgent)
	}
}

// estimate measures the echo delay over the latest window of microphone
// audio and re-aligns when two estimates in a row agree on a new one.
func (c *Canceller) estimate(urgent bool) {
	w := c.samples(estWindow)
	if c.hold || urgent {
		w = c.samples(estWindowFast)
	}
	check := c.leakCheckDue() // once
	if check {
		w = c.samples(leakCheckWindow)
		c.leakCheck = false
	}
	if len(c.micHist) < w {
		return
	}
	mic := c.micHist[len(c.micHist)-w:]
	micAt := c.micN - int64(w)
	if micAt < c.notBefore {
		return // the window still holds echo from before the glitch
	}
	margin := int64(c.samples(alignMargin))
	center := c.shift - margin // where the echo should be now
	if c.measured {
		center = c.lag
	}
	span := int64(c.samples(c.cfg.MaxDelay))
	// The far end must have been active over the window at the lags in
	// range (cheaply: anywhere in them).
	lo := max(0, micAt+center-span-c.refAt)
	hi := min(int64(len(c.refHist)), micAt+int64(w)+center+span/2-c.refAt)
	if hi-lo < int64(w) || pcm.DBFS(c.refHist[lo:hi]) < estMinRefDB {
		return
	}
	d, corr, ok := estimateDelay(mic, micAt, c.refHist, c.refAt, center-span, center+span/2, max(1, c.rate/1000), &c.scratch)
	if !ok {
		return
	}
	if check && !c.hold && corr < estSureCorr {
		// Since the cut, the microphone has heard more than the echo
		// alone, moved or not: what passed the filter was another sound.
		c.undoLeakCut()
	}
	if corr < estMinCorr {
		return
	}
	near := func(a, b int64) bool { return a-b <= estTolerance && b-a <= estTolerance }
	switch {
	case c.measured && near(d, c.lag):
		// Confirmed where it was.
		c.haveCand = false
		if c.hold {
			c.hold = false
			c.restartReduction()
		}
	case c.haveCand && near(d, c.cand), c.hold && c.measured && corr >= estSureCorr:
		c.haveCand = false
		c.lag, c.measured = d, true
		if c.hold || c.shift != d+margin {
			c.restartReduction()
		}
		if c.shift != d+margin {
			c.shift = d + margin
			c.realigned.Add(1)
		}
		c.hold = false
		c.delayNS.Store(int64(-d) * int64(time.Second) / int64(c.rate))
	default:
		c.cand, c.haveCand = d, true
		if small := int64(c.samples(estSmallMove)); c.measured && corr >= estSureCorr && (d-c.lag > small || c.lag-d > small) {
			// The echo seems to have moved: hold until the next
			// estimate says whether it did. A weaker estimate is more
			// likely the user talking over the echo (the moment the
			// reduction matters most to the gate): it waits for
			// confirmation without dropping the reported reduction.
			c.hold = true
			c.restartReduction()
		}
	}
}

// residualCorrelation returns how much the canceller's latest output
// (leakWindow of it, up to the frame being processed) resembles the
// reference at any lag from 250 ms before the measured echo delay to 100
// ms after it: near 1 when it is the model's echo that the filter failed
// to remove (the echo moved, or the filter diverged), low when it is the
// user's voice.
func (c *Canceller) residualCorrelation() float64 {
	w := len(c.outHist)
	if w < c.samples(leakWindow) {
		return 0
	}
	at := c.micN + int64(c.frame) - int64(w) // mic index of outHist[0]
	center := c.shift - int64(c.samples(alignMargin))
	_, corr, ok := estimateDelay(c.outHist, at, c.refHist, c.refAt,
		center-int64(c.samples(250*time.Millisecond)), center+int64(c.samples(100*time.Millisecond)),
		max(1, c.rate/1000), &c.leakScratch)
	if !ok {
		return 0
	}
	return corr
}

// Echo reduction tracking.
const (
	erleRefMinDB    = -50.0 // the far end counts as active above this
	erleMicMinDB    = -60.0 // and the microphone must hear something
	erleMaxDB       = 30.0  // never relax the gate by more
	erleTau         = 200 * time.Millisecond
	erleSlowTau     = 3 * time.Second        // for frames far below the estimate: the user talking
	erleDrop        = 12.0                   // dB below the estimate that count as such
	erleWarmUp      = 400 * time.Millisecond // of far-end activity since (re)alignment before the estimate counts
	erleQuickTau    = 50 * time.Millisecond  // after a hold, when the filter had converged
	erleQuickWarmUp = 150 * time.Millisecond
	pathTauUp       = 2 * time.Second        // echo path gain smoothing, rising
	pathTauDown     = 500 * time.Millisecond // and falling
	pathWarmUp      = 300 * time.Millisecond // of frames before the path gain counts
	leakWindow      = 40 * time.Millisecond  // of output compared with the reference when it stays far below the estimate
	leakMinCorr     = 0.5                    // correlation with the reference that makes it the echo, not the user
	leakTrustFor    = time.Second            // after a cut the filter proved wrong, how long such frames count as the user
)

// trackReduction updates the echo reduction estimate from one frame's
// levels: while the far end is active, an average (200 ms) of the drop
// from microphone to output, reported after 400 ms of the model's voice
// since the latest (re)alignment.
//
// A frame far below the estimate is either the user talking over the
// model (their voice passes the canceller) or echo the filter failed to
// remove (after double talk made it diverge, or the echo moved with no
// glitch reported: a few milliseconds inside the sound server, seen on the
// rig). The two are told apart by what passed: echoCorr, the correlation
// of the latest output with the reference near the echo's delay. Echo
// correlates (0.5 or more): the estimate moves fast (50 ms), and from the
// third frame far below it drops to what the frame achieves, so the gate
// closes on the leaking echo; the user's voice does not, and moves it only
// slowly (3 s), so the gate does not close on a user who barges in. A
// misaligned reference is also caught by the delay estimate, which reports
// 0 until the delay is confirmed.
//
// A user's vowel can correlate with the model's voice too (in the same
// synthetic voice, during about half of the utterances tried), so such a
// cut is provisional: it is undone (undoLeakCut) as soon as a frame shows
// the filter removing as much as before the cut, or the delay estimate
// over leakCheckWindow after it hears more than the echo alone.
//
// The echo path gain (microphone level less reference level, for
// Stats.EchoPathGainDB) is learned from the frames that hold only echo.
func (c *Canceller) trackReduction(refDB, inDB, outDB float64, echoCorr func() float64) {
	if refDB <= erleRefMinDB || inDB <= erleMicMinDB {
		return
	}
	dur := c.cfg.Frame
	inst := min(erleMaxDB, max(0, inDB-outDB))
	tau, warmUp := erleTau, erleWarmUp
	if c.erleQuick {
		tau, warmUp = erleQuickTau, erleQuickWarmUp
	}
	if c.leakCut && inst >= c.leakFrom-erleDrop {
		c.undoLeakCut() // the filter removes as much as it did before the cut
	}
	echoOnly := true // the frame is the echo alone, as far as is known
	leaking := false // echo the filter did not remove
	if c.erleWarm && inst < c.erleInst-erleDrop {
		c.leak++
		if c.leak == 1 && !c.leakCut {
			c.leakFrom = c.erleInst
		}
		c.leakDue = c.leak == leakFrames
		alike, trusted := echoCorr() >= leakMinCorr, c.micN < c.leakTrust
		if trusted && !alike {
			c.trustFilter() // the user still talking
		}
		if alike && !trusted {
			c.echoLeaks.Add(1)
			c.echoLeak++
			tau, leaking = erleQuickTau, true
		} else {
			c.echoLeak = 0 // the user: no reason to re-measure the delay over their voice
			tau, echoOnly = erleSlowTau, false
		}
	} else {
		c.leak, c.echoLeak = 0, 0
	}
	if echoOnly {
		g := inDB - refDB
		if c.pathActive == 0 {
			c.pathGain = g
		} else {
			// Down fast, up slowly: a user who talks while the
			// estimate is still low only raises it slowly.
			t := pathTauUp
			if g < c.pathGain {
				t = pathTauDown
			}
			c.pathGain += (g - c.pathGain) * (1 - math.Exp(-dur.Seconds()/t.Seconds()))
		}
		c.pathActive += dur
		if c.pathActive >= pathWarmUp {
			c.pathGainPub.Store(math.Float64bits(c.pathGain))
		}
	}
	c.erleInst += (inst - c.erleInst) * (1 - math.Exp(-dur.Seconds()/tau.Seconds()))
	if leaking && !c.leakCut {
		c.leakCut, c.leakCutAt, c.leakCheck = true, c.micN, true
	}
	if leaking && c.leak >= leakFrames {
		// The echo has passed the filter frame after frame: claim no
		// more than it removes now.
		c.erleInst = min(c.erleInst, inst)
	}
	c.erleActive += dur
	if c.erleActive >= warmUp {
		c.erleWarm, c.erleQuick = true, false
		c.publishReduction(c.erleInst)
	}
}

// undoLeakCut restores the estimate a run of frames far below it cut for
// leaking echo, once the filter has shown that the echo did not leak: what
// passed it was a voice over the echo that happened to resemble the model's
// for a few frames (a user in the model's own synthetic voice does, often).
// For leakTrustFor after, frames that resemble the reference count as the
// user too.
func (c *Canceller) undoLeakCut() {
	c.erleInst = max(c.erleInst, c.leakFrom)
	c.leakCut, c.leakCheck = false, false
	c.trustFilter()
	if c.erleWarm {
		c.publishReduction(c.erleInst)
	}
}

// trustFilter makes frames that resemble the reference count as the user
// for leakTrustFor.
func (c *Canceller) trustFilter() { c.leakTrust = c.micN + int64(c.samples(leakTrustFor)) }

// leakCheckDue tells whether a cut for leaking echo awaits its check: a
// delay estimate over leakCheckWindow of microphone audio wholly after it.
func (c *Canceller) leakCheckDue() bool {
	return c.leakCheck && c.micN-c.leakCutAt >= int64(c.samples(leakCheckWindow))
}

func (c *Canceller) publishReduction(db float64) { c.erle.Store(math.Float64bits(db)) }

// No echo at all: headphones, or no loudspeaker near the microphone.
const (
	noEchoBelowDB = 35.0                   // the microphone this far below the reference hears no echo
	noEchoAfter   = 600 * time.Millisecond // of the model's voice heard so in a row before it counts
)

// trackSilence notes a frame in which the far end is active and the
// microphone hears nothing like its echo. Once 600 ms of the model's voice
// in a row (frames without it do not count) have passed so, longer than
// any echo delay leaves the microphone quiet at the start of its words,
// and no echo delay has ever been measured (the echo correlates with the
// reference; the user's voice does not), there is no echo path: EchoLossDB
// reports the most it ever does.
func (c *Canceller) trackSilence(refDB, inDB float64) {
	if c.measured {
		c.noEcho.Store(false)
		return
	}
	if refDB <= erleRefMinDB {
		return
	}
	if inDB > refDB-noEchoBelowDB {
		c.quiet = 0 // the microphone hears something: an echo, or the user
		return
	}
	c.quiet += c.cfg.Frame
	if c.quiet >= noEchoAfter {
		c.noEcho.Store(true)
	}
}

// EchoLossDB estimates how far below the speaker's output level the
// model's echo is after the canceller, in dB, at most 30: EchoReductionDB
// where there is an echo; 30 once the microphone has heard 600 ms of the
// model's voice in a row without any echo of it (headphones, no loudspeaker in
// the room) and no echo delay has been measured. The barge-in watcher's
// echo gate lowers its threshold by it (bargein.Config.EchoReduction;
// audio.Bridge wires it), so that a user at the model's own level
// interrupts. Safe from any goroutine.
func (c *Canceller) EchoLossDB() float64 {
	if c.noEcho.Load() {
		return erleMaxDB
	}
	return c.EchoReductionDB()
}

// EchoReductionDB estimates how many dB of echo the canceller removes (0
// until it has heard 400 ms of the model's voice, and again after a device
// glitch or a change of echo delay until it is re-measured). The barge-in watcher
// subtracts it from the echo it expects (bargein.Config.EchoReduction;
// audio.Bridge wires it). Safe from any goroutine.
func (c *Canceller) EchoReductionDB() float64 {
	return math.Float64frombits(c.erle.Load())
}

// Stats returns the counters so far.
func (c *Canceller) Stats() Stats {
	return Stats{
		Frames:         c.frames.Load(),
		StarvedFrames:  c.starved.Load(),
		HeldFrames:     c.held.Load(),
		StaleSymbols:   c.stale.Load(),
		Glitches:       c.glitchN.Load(),
		InputGlitches:  c.inGlitchN.Load(),
		Realignments:   c.realigned.Load(),
		EchoLeaks:      c.echoLeaks.Load(),
		EchoPathGainDB: math.Float64frombits(c.pathGainPub.Load()),
		NoEcho:         c.noEcho.Load(),
		Delay:          time.Duration(c.delayNS.Load()),
	}
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
