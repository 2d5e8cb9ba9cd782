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
	// NewVAD returns the detector for audio at sampleRate. Default: the
	// package's pure-Go energy + zero-crossing detector.
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
)

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
	if c.MinSpeech < 0 || c.MaxGap < 0 || c.Rearm < 0 {
		return c, errors.New("bargein: negative MinSpeech, MaxGap or Rearm")
	}
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
		c.NewVAD = EnergyVAD
	}
	return c, nil
}

// EnergyVAD returns the default detector: the pure-Go energy and
// zero-crossing detector of internal/vad at its default settings.
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

	frames, speech, gated, stale, interrupts, turnEnds atomic.Int64
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
	return &Watcher{src: src, out: out, interrupt: interrupt, cfg: cfg, armed: true}, nil
}

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
	if !playing || !w.armed || w.run < w.cfg.MinSpeech {
		return false, nil
	}
	w.armed = false // once per stretch of speech
	w.interrupts.Add(1)
	w.interrupt()
	return true, nil
}

// Stats returns the counters so far.
func (w *Watcher) Stats() Stats {
	return Stats{
		Frames:       w.frames.Load(),
		SpeechFrames: w.speech.Load(),
		GatedFrames:  w.gated.Load(),
		StaleFrames:  w.stale.Load(),
		Interrupts:   w.interrupts.Load(),
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
