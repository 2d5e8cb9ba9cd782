package bargein

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// An OutputMonitor reports what the speaker is playing now; *audio.Speaker
// and *wavio.Sink implement it. Its methods must be safe to call from any
// goroutine.
type OutputMonitor interface {
	// Playing reports whether model audio is queued or playing.
	Playing() bool
	// Level is the recent output level, linear RMS (1.0 is full scale),
	// held as a peak that decays over a few hundred milliseconds so that
	// it covers the echo's delay.
	Level() float64
}

// A VAD classifies consecutive frames of one audio stream as speech or not.
// Smoothing over time is the Watcher's job (Config.MinSpeech, MaxGap), so
// Process should judge the frame itself. A VAD is used by one goroutine.
type VAD interface {
	Process(frame []int16) (speech bool, err error)
	Reset()
}

// Config configures a Watcher. The zero value means the defaults in each
// field's comment.
type Config struct {
	// Frame is the analysis frame. Default 20 ms.
	Frame time.Duration
	// MinSpeech is how long the user must speak over the model before it
	// is interrupted. Default 200 ms.
	MinSpeech time.Duration
	// MaxGap: pauses shorter than this do not restart the MinSpeech count.
	// Default 60 ms.
	MaxGap time.Duration
	// Rearm: after an interrupt, the user must pause this long before
	// the next one, so one utterance interrupts once. Default 500 ms.
	Rearm time.Duration
	// NewVAD returns the detector for audio at sampleRate. Default:
	// GMMVAD, the pure-Go subband Gaussian-mixture detector (EnergyVAD is
	// the lighter energy + zero-crossing one).
	NewVAD func(sampleRate int) (VAD, error)
	// EchoGainDB is the expected level of the speaker's echo at the
	// microphone relative to the speaker's output level, in dB.
	// Default 0 (see the package doc).
	EchoGainDB float64
	// EchoMarginDB is how far above the expected echo the user must be.
	// Default 6.
	EchoMarginDB float64
	// DisableEchoGate turns the gate off: for headphones.
	DisableEchoGate bool
	// EchoReduction, if set, returns how many dB of echo a canceller
	// upstream removes now (e.g. (*aec.Canceller).EchoReductionDB); it
	// is subtracted from the expected echo, so the gate relaxes as the
	// canceller converges. audio.Bridge sets it for its Filter.
	EchoReduction func() float64
	// Tail is how long the speaker still counts as playing after Playing
	// turns false: the echo of its last words is still in the room and
	// the microphone path. Default 200 ms.
	Tail time.Duration
	// StaleAfter: audio captured longer ago than this (its Symbol's
	// Timestamp, e.g. a backlog of a microphone that fell behind) never
	// counts as the user's speech: it would interrupt the model late, and
	// may be its own echo from before what the speaker's history reaches.
	// Default 1 s.
	StaleAfter time.Duration

	// ResumeAfter turns on false-interruption recovery, when the output
	// can pause (a Pauser, e.g. *audio.Speaker): the speech onset
	// (PauseAfter) pauses the output at once instead of interrupting, then
	// the Watcher decides ResumeAfter after MinSpeech of speech. If the user spoke MinSpeech
	// in all and is still talking then (speech within the latest 250 ms),
	// or Confirm was called meanwhile (their words arrived in the input
	// transcript), it interrupts as without recovery (the interrupt
	// function flushes the output); otherwise it was a cough, a
	// backchannel or a door, and the output resumes where it paused.
	// Default 0: off, barge-in interrupts at once. 600 ms suits
	// conversation (mic-chat's default).
	ResumeAfter time.Duration
	// PauseAfter, with ResumeAfter, is how long the user must speak over
	// the model before the output pauses: the speech onset, so that the
	// speaker falls silent as soon as the user starts. The decision comes
	// when it would without the early pause (ResumeAfter after MinSpeech
	// of speech, so the pause lasts ResumeAfter+MinSpeech-PauseAfter) and
	// interrupts only if MinSpeech of speech was heard since the onset
	// and the user is still talking (or Confirm was called); a shorter
	// burst (a cough, a click, a stray echo) resumes the answer. Default
	// 60 ms; at most MinSpeech.
	PauseAfter time.Duration

	// EndOfTurn, with OnEndOfTurn, detects the end of the user's turn on
	// the client: once the user has spoken (MinSpeech of speech that passed
	// the echo gate) and then been quiet for EndOfTurn, Next calls
	// OnEndOfTurn before it returns the symbol; an error from it is
	// returned by Next. Default 0: off (the backend's own voice activity
	// detection ends turns). 500-800 ms suits conversation.
	EndOfTurn time.Duration
	// OnEndOfTurn is what ends the turn: DuplexSession.SendEnd, so that
	// the end of turn is ordered with the session's Sends and Interrupt.
	// audio.Bridge sets it when it is nil. It runs on Next's goroutine.
	OnEndOfTurn func(ctx context.Context) error
}

// Defaults.
const (
	DefaultFrame        = 20 * time.Millisecond
	DefaultMinSpeech    = 200 * time.Millisecond
	DefaultMaxGap       = 60 * time.Millisecond
	DefaultRearm        = 500 * time.Millisecond
	DefaultEchoMarginDB = 6.0
	DefaultTail         = 200 * time.Millisecond
	DefaultStaleAfter   = time.Second
	DefaultPauseAfter   = 60 * time.Millisecond
)

// stillTalking: speech this recent at the end of a pause (Config.ResumeAfter)
// means the user is taking the floor.
const stillTalking = 250 * time.Millisecond

// A Pauser is an output that can stop playing at once and later go on
// where it stopped (*audio.Speaker is one): barge-in with
// Config.ResumeAfter pauses it. Its methods must be safe from any goroutine
// and must not block.
type Pauser interface {
	Pause()
	Resume()
}

func (c Config) withDefaults() (Config, error) {
	if c.Frame == 0 {
		c.Frame = DefaultFrame
	}
	if c.Frame < 5*time.Millisecond || c.Frame > 100*time.Millisecond {
		return c, fmt.Errorf("bargein: Frame %v (want 5ms to 100ms)", c.Frame)
	}
	if c.MinSpeech == 0 {
		c.MinSpeech = DefaultMinSpeech
	}
	if c.MaxGap == 0 {
		c.MaxGap = DefaultMaxGap
	}
	if c.Rearm == 0 {
		c.Rearm = DefaultRearm
	}
	if c.MinSpeech < 0 || c.MaxGap < 0 || c.Rearm < 0 || c.ResumeAfter < 0 || c.PauseAfter < 0 {
		return c, errors.New("bargein: negative MinSpeech, MaxGap, Rearm, ResumeAfter or PauseAfter")
	}
	if c.PauseAfter == 0 {
		c.PauseAfter = DefaultPauseAfter
	}
	c.PauseAfter = min(c.PauseAfter, c.MinSpeech)
	if c.EchoMarginDB == 0 {
		c.EchoMarginDB = DefaultEchoMarginDB
	}
	if c.Tail == 0 {
		c.Tail = DefaultTail
	}
	if c.StaleAfter == 0 {
		c.StaleAfter = DefaultStaleAfter
	}
	if c.NewVAD == nil {
		c.NewVAD = GMMVAD
	}
	return c, nil
}

// GMMVAD returns the default detector: internal/vad's GMMDetector (subband
// Gaussian mixtures after WebRTC's design, a 110 Hz high-pass in front) at
// its default settings. It holds in white and brown noise down to 0 dB SNR
// where EnergyVAD does not (BENCHMARKS.md, "Voice activity detection").
func GMMVAD(sampleRate int) (VAD, error) {
	d, err := vad.NewGMM(vad.GMMConfig{SampleRate: sampleRate})
	if err != nil {
		return nil, err
	}
	return gmmVAD{d}, nil
}

type gmmVAD struct{ d *vad.GMMDetector }

func (g gmmVAD) Process(frame []int16) (bool, error) {
	if _, err := g.d.Process(frame); err != nil {
		return false, err
	}
	return g.d.Last().Speech, nil
}

func (g gmmVAD) Reset() { g.d.Reset() }

// EnergyVAD returns the pure-Go energy and zero-crossing detector of
// internal/vad at its default settings: cheaper than GMMVAD, but it misses
// speech in white noise and reads brown noise as speech.
func EnergyVAD(sampleRate int) (VAD, error) {
	d, err := vad.New(vad.Config{SampleRate: sampleRate})
	if err != nil {
		return nil, err
	}
	return energyVAD{d}, nil
}

type energyVAD struct{ d *vad.EnergyDetector }

func (e energyVAD) Process(frame []int16) (bool, error) {
	if _, err := e.d.Process(frame); err != nil {
		return false, err
	}
	return e.d.Last().Speech, nil
}

func (e energyVAD) Reset() { e.d.Reset() }

// Stats counts what a Watcher has seen. Frames are analysis frames.
type Stats struct {
	Frames       int64 // frames analysed
	SpeechFrames int64 // frames the VAD called speech
	GatedFrames  int64 // speech frames the echo gate refused (too close to the speaker's level)
	StaleFrames  int64 // speech frames not counted because they were captured over StaleAfter ago
	Interrupts   int64 // calls of the interrupt function
	Pauses       int64 // barge-ins that paused the output first (Config.ResumeAfter)
	Resumes      int64 // pauses that ended with the output resumed: no user turn followed
	TurnEnds     int64 // calls of OnEndOfTurn
}

// A Watcher is a fullduplex.Source that passes on every Symbol of another
// Source unchanged, watching its audio for barge-in.
//
// Next (and Observe) are for one goroutine at a time; Stats is safe from any
// goroutine. The interrupt function is called on the goroutine that calls
// Next: it must not block (DuplexSession.Interrupt never does).
type Watcher struct {
	src       fullduplex.Source
	out       OutputMonitor
	interrupt func()
	cfg       Config

	rate    int
	det     VAD
	samples []int16
	pending []int16 // samples waiting for a whole frame

	run    time.Duration // gated speech so far
	gap    time.Duration // non-speech since the last speech frame
	armed  bool
	tail   time.Duration // left of the speaker's tail
	inTurn bool          // the user has spoken since the last end of turn
	ended  bool          // an end of turn is due

	pauser   Pauser        // out, if it can pause and ResumeAfter is set
	paused   bool          // the output is paused, awaiting the decision
	decideIn time.Duration // left of the pause before the decision
	spoken   time.Duration // gated speech since the onset that paused the output
	confirm  atomic.Bool   // Confirm was called

	frames, speech, gated, stale, interrupts, pauses, resumes, turnEnds atomic.Int64
}

var _ fullduplex.Source = (*Watcher)(nil)

// New returns a Watcher over src that calls interrupt when the user talks
// over what out is playing. src may be nil if only Observe is used.
func New(src fullduplex.Source, out OutputMonitor, interrupt func(), cfg Config) (*Watcher, error) {
	if out == nil || interrupt == nil {
		return nil, errors.New("bargein: New needs an OutputMonitor and an interrupt function")
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	w := &Watcher{src: src, out: out, interrupt: interrupt, cfg: cfg, armed: true}
	if p, ok := out.(Pauser); ok && cfg.ResumeAfter > 0 {
		w.pauser = p
	}
	return w, nil
}

// Confirm tells the Watcher that the user is taking the floor (e.g. their
// words arrived in the input transcript): a barge-in pause
// (Config.ResumeAfter) under way ends in an interrupt at the next frame
// instead of waiting. It does nothing when no pause is under way. Safe
// from any goroutine; it never blocks.
func (w *Watcher) Confirm() { w.confirm.Store(true) }

// Next returns the next Symbol of the underlying Source, after watching it.
// Errors of the Source (io.EOF included) pass through unchanged; an audio
// symbol the Watcher cannot analyse is passed on all the same.
func (w *Watcher) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := w.src.Next(ctx)
	if err != nil {
		return s, err
	}
	// Audio the detector cannot analyse (a wrong rate, stereo) is passed on
	// unwatched: the stream it goes to refuses it with a clear error.
	_, _ = w.Observe(s)
	if w.ended {
		w.ended = false
		if w.cfg.OnEndOfTurn != nil {
			w.turnEnds.Add(1)
			if err := w.cfg.OnEndOfTurn(ctx); err != nil {
				return s, fmt.Errorf("bargein: end of turn: %w", err)
			}
		}
	}
	return s, nil
}

// Observe watches one Symbol (non-audio symbols are ignored) and reports
// whether it triggered an interrupt. It does not call OnEndOfTurn (Next
// does).
func (w *Watcher) Observe(s fullduplex.Symbol) (interrupted bool, err error) {
	if s.Modality != fullduplex.ModalityAudio || len(s.Data) == 0 {
		return false, nil
	}
	rate, ch := s.SampleRate(), s.Channels()
	if rate < pcm.MinRate || rate > pcm.MaxRate || ch != 1 {
		return false, fmt.Errorf("bargein: cannot analyse audio at %d Hz with %d channels", rate, ch)
	}
	if rate != w.rate || w.det == nil {
		det, err := w.cfg.NewVAD(rate)
		if err != nil {
			return false, fmt.Errorf("bargein: VAD at %d Hz: %w", rate, err)
		}
		w.det, w.rate, w.pending = det, rate, w.pending[:0]
	}
	w.samples, err = pcm.DecodeInt16(w.samples[:0], s.Data)
	if err != nil {
		return false, fmt.Errorf("bargein: %w", err)
	}
	n := max(1, int(int64(rate)*int64(w.cfg.Frame)/int64(time.Second)))
	w.pending = append(w.pending, w.samples...)
	stale := !s.Timestamp.IsZero() && time.Since(s.Timestamp) > w.cfg.StaleAfter
	i := 0
	for ; i+n <= len(w.pending); i += n {
		// The capture time of the frame's end: the Timestamp is that of
		// the symbol's last sample.
		var at time.Time
		if !s.Timestamp.IsZero() {
			at = s.Timestamp.Add(-time.Duration(len(w.pending)-i-n) * time.Second / time.Duration(rate))
		}
		hit, err := w.frame(w.pending[i:i+n], at, stale)
		if err != nil {
			return interrupted, err
		}
		interrupted = interrupted || hit
	}
	w.pending = w.pending[:copy(w.pending, w.pending[i:])]
	return interrupted, nil
}

// frame judges one analysis frame, captured at (zero if unknown), and
// interrupts when due.
func (w *Watcher) frame(f []int16, at time.Time, stale bool) (bool, error) {
	w.frames.Add(1)
	dur := time.Duration(len(f)) * time.Second / time.Duration(w.rate)
	speech, err := w.det.Process(f)
	if err != nil {
		return false, fmt.Errorf("bargein: VAD: %w", err)
	}
	outLevel, heard := w.outputLevel(at)
	playing := w.out.Playing()
	if playing {
		w.tail = w.cfg.Tail
	} else if w.tail > 0 {
		w.tail -= dur
		playing = true
	}
	if speech {
		w.speech.Add(1)
		if stale {
			speech = false
			w.stale.Add(1)
		} else if (playing || heard) && !w.cfg.DisableEchoGate {
			threshold := outLevel + w.cfg.EchoGainDB + w.cfg.EchoMarginDB
			if w.cfg.EchoReduction != nil {
				threshold -= max(0, w.cfg.EchoReduction())
			}
			if pcm.DBFS(f) < threshold {
				speech = false
				w.gated.Add(1)
			}
		}
	}
	if speech {
		w.run += dur
		w.gap = 0
		if w.paused {
			w.spoken += dur
		}
	} else {
		w.gap += dur
		if w.gap > w.cfg.MaxGap {
			w.run = 0
		}
		if w.gap > w.cfg.Rearm {
			w.armed = true
		}
		if w.inTurn && w.cfg.EndOfTurn > 0 && w.gap >= w.cfg.EndOfTurn {
			w.inTurn, w.ended = false, true
		}
	}
	if w.run >= w.cfg.MinSpeech {
		w.inTurn = true
	}
	if w.paused {
		return w.decide(dur), nil
	}
	need := w.cfg.MinSpeech
	if w.pauser != nil {
		need = w.cfg.PauseAfter // pause at the onset; MinSpeech decides
	}
	if !playing || !w.armed || w.run < need {
		return false, nil
	}
	w.armed = false // once per stretch of speech
	if w.pauser != nil {
		// Silence now; decide once it is clear whether the user takes
		// the floor.
		// The decision comes when it would without the early pause:
		// ResumeAfter after MinSpeech of speech.
		w.paused, w.decideIn, w.spoken = true, w.cfg.ResumeAfter+w.cfg.MinSpeech-w.cfg.PauseAfter, w.run
		w.confirm.Store(false)
		w.pauses.Add(1)
		w.pauser.Pause()
		return false, nil
	}
	w.interrupts.Add(1)
	w.interrupt()
	return true, nil
}

// decide counts one frame of dur against a barge-in pause and ends it, in
// an interrupt or a resume, when due; it reports an interrupt.
func (w *Watcher) decide(dur time.Duration) bool {
	w.decideIn -= dur
	confirmed := w.confirm.Load()
	if !confirmed && w.decideIn > 0 {
		return false
	}
	w.paused = false
	w.confirm.Store(false)
	if confirmed || w.spoken >= w.cfg.MinSpeech && w.gap < stillTalking {
		w.interrupts.Add(1)
		w.interrupt()
		return true
	}
	w.resumes.Add(1)
	w.pauser.Resume()
	return false
}

// Stats returns the counters so far.
func (w *Watcher) Stats() Stats {
	return Stats{
		Frames:       w.frames.Load(),
		SpeechFrames: w.speech.Load(),
		GatedFrames:  w.gated.Load(),
		StaleFrames:  w.stale.Load(),
		Interrupts:   w.interrupts.Load(),
		Pauses:       w.pauses.Load(),
		Resumes:      w.resumes.Load(),
		TurnEnds:     w.turnEnds.Load(),
	}
}

// outputLevel returns the output level, in dBFS, to compare a frame
// captured at with: the level at that moment if the monitor keeps a
// history that reaches it, else the current one; heard reports that the
// output had been playing at that moment (its echo may be in the frame even
// though the speaker has stopped since).
func (w *Watcher) outputLevel(at time.Time) (db float64, heard bool) {
	if h, ok := w.out.(LevelHistory); ok && !at.IsZero() {
		if l, ok := h.LevelAt(at); ok {
			return pcm.AmplitudeToDB(l), l > 0
		}
	}
	return pcm.AmplitudeToDB(w.out.Level()), false
}
