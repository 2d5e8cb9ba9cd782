package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// Config configures a Bridge. The zero value opens the default microphone
// and speaker, with barge-in and the echo gate on.
type Config struct {
	// Microphone configures the microphone Run opens when Input is nil.
	Microphone MicrophoneConfig
	// Speaker configures the speaker Run opens when Output is nil.
	Speaker SpeakerConfig
	// Input replaces the microphone, e.g. a wavio.Source for a headless
	// run. The Bridge does not close it.
	Input fullduplex.Source
	// Output replaces the speaker, e.g. a realtime wavio.Sink. If it
	// implements bargein.OutputMonitor, barge-in watches it; otherwise
	// barge-in is off. The Bridge does not close it.
	Output fullduplex.Sink
	// Filter, if set, processes the input before barge-in watches it and
	// the session sends it: for example an echo canceller that reads what
	// the output plays (aec.Filter from package audio/aec). It gets the
	// input and the output (the Speaker, unless Output replaces it).
	Filter func(in fullduplex.Source, out fullduplex.Sink) (fullduplex.Source, error)
	// Sinks also receive every item the session delivers, after the
	// speaker: a transcript printer, a recorder. Flush reaches those that
	// are Flushers.
	Sinks []fullduplex.Sink
	// BargeIn configures the barge-in watcher: minimum speech, echo gate,
	// and client-side end of turn. With BargeIn.EndOfTurn set and
	// BargeIn.OnEndOfTurn nil, the Bridge ends the user's turn with the
	// session's SendEnd (in order with what the session sends), which a
	// backend that does not detect turns itself needs (geminitest's echo
	// model with automatic activity detection off, a push-to-talk
	// backend). EndOfTurn works with barge-in disabled, too.
	BargeIn bargein.Config
	// OnBargeIn, if set, is called each time client-side barge-in cuts
	// the model off (after the speaker is flushed and the session told):
	// a console prints a marker. It runs on the microphone's goroutine
	// and must not block.
	OnBargeIn func()
	// DisableBargeIn turns client-side barge-in off: only the backend's
	// interrupts stop the speaker. Default false: on.
	DisableBargeIn bool
	// DrainTimeout bounds how long Run waits, after the stream ends
	// cleanly, for the queued audio to finish playing. Default 30 s.
	DrainTimeout time.Duration
}

// A Bridge connects a DuplexSession to a microphone (the sender, through the
// barge-in watcher) and a speaker (the receiver).
//
// Run is called once at a time; Stats, Microphone, Speaker and Close are
// safe from any goroutine. Close the Bridge when done.
type Bridge struct {
	session  *fullduplex.DuplexSession
	cfg      Config
	mic      *Microphone
	spk      *Speaker
	input    fullduplex.Source
	output   fullduplex.Sink
	watcher  *bargein.Watcher
	filtered fullduplex.Source // from Config.Filter: closed by Close if an io.Closer
}

// NewBridge opens the devices cfg asks for (the default microphone and
// speaker unless Input and Output replace them) and wires barge-in to
// session.Interrupt.
func NewBridge(session *fullduplex.DuplexSession, cfg Config) (*Bridge, error) {
	if session == nil {
		return nil, errors.New("audio: NewBridge needs a session")
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 30 * time.Second
	}
	b := &Bridge{session: session, cfg: cfg, input: cfg.Input, output: cfg.Output}
	if b.output == nil {
		spk, err := OpenSpeaker(cfg.Speaker)
		if err != nil {
			return nil, err
		}
		b.spk, b.output = spk, spk
	}
	if b.input == nil {
		mic, err := OpenMicrophone(cfg.Microphone)
		if err != nil {
			_ = b.Close()
			return nil, err
		}
		b.mic, b.input = mic, mic
	}
	if cfg.Filter != nil {
		in, err := cfg.Filter(b.input, b.output)
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("audio: input filter: %w", err)
		}
		b.filtered = in
		b.input = in
	}
	mon, _ := b.output.(bargein.OutputMonitor)
	bargeIn := !cfg.DisableBargeIn && mon != nil
	if bargeIn || cfg.BargeIn.EndOfTurn > 0 {
		wcfg := cfg.BargeIn
		if wcfg.EchoReduction == nil {
			// A canceller's measure of how far below the output its echo
			// is: the echo path's loss included (aec.Canceller.EchoLossDB)
			// if it has one, else what it removes.
			if r, ok := b.filtered.(interface{ EchoLossDB() float64 }); ok {
				wcfg.EchoReduction = r.EchoLossDB
			} else if r, ok := b.filtered.(interface{ EchoReductionDB() float64 }); ok {
				wcfg.EchoReduction = r.EchoReductionDB
			}
		}
		if wcfg.EndOfTurn > 0 && wcfg.OnEndOfTurn == nil {
			wcfg.OnEndOfTurn = session.SendEnd
		}
		interrupt := session.Interrupt
		if cfg.OnBargeIn != nil {
			interrupt = func() {
				session.Interrupt()
				cfg.OnBargeIn()
			}
		}
		if !bargeIn {
			interrupt = func() {}
			if mon == nil {
				mon = silentMonitor{}
			}
		}
		w, err := bargein.New(b.input, mon, interrupt, wcfg)
		if err != nil {
			_ = b.Close()
			return nil, err
		}
		b.watcher, b.input = w, w
	}
	return b, nil
}

type silentMonitor struct{}

func (silentMonitor) Playing() bool  { return false }
func (silentMonitor) Level() float64 { return 0 }

// Microphone returns the microphone the Bridge opened, or nil.
func (b *Bridge) Microphone() *Microphone { return b.mic }

// Speaker returns the speaker the Bridge opened, or nil.
func (b *Bridge) Speaker() *Speaker { return b.spk }

// BridgeStats gathers the counters of a Bridge's parts; the zero value of
// a part that does not exist.
type BridgeStats struct {
	Microphone MicrophoneStats
	Speaker    SpeakerStats
	BargeIn    bargein.Stats
}

// Stats returns the counters so far.
func (b *Bridge) Stats() BridgeStats {
	var st BridgeStats
	if b.mic != nil {
		st.Microphone = b.mic.Stats()
	}
	if b.spk != nil {
		st.Speaker = b.spk.Stats()
	}
	if b.watcher != nil {
		st.BargeIn = b.watcher.Stats()
	}
	return st
}

// sinks returns Config.Sinks and, when barge-in may pause the speaker
// (BargeIn.ResumeAfter), the sink that tells the watcher the user's words
// arrived in the input transcript.
func (b *Bridge) sinks() []fullduplex.Sink {
	if b.watcher == nil || b.cfg.BargeIn.ResumeAfter <= 0 {
		return b.cfg.Sinks
	}
	return append(append([]fullduplex.Sink(nil), b.cfg.Sinks...), wordsHeard{b.watcher})
}

// wordsHeard confirms a barge-in pause when a transcript of the user's
// words arrives.
type wordsHeard struct{ w *bargein.Watcher }

func (h wordsHeard) Write(_ context.Context, item fullduplex.StreamItem) error {
	if s, ok := item.(fullduplex.Symbol); ok && s.Role() == fullduplex.RoleUser {
		if text, ok := s.TextValue(); ok && strings.TrimSpace(text) != "" {
			h.w.Confirm()
		}
	}
	return nil
}

type drainer interface {
	Drain(ctx context.Context) error
}

// Run runs the session with the microphone as sender and the speaker (plus
// Config.Sinks) as receiver, and returns what RunDuplex returns. When the
// stream ends cleanly it waits (up to DrainTimeout, or until ctx is done)
// for the speaker to play what is queued. Every goroutine it started has
// finished when it returns; the devices stay open until Close.
func (b *Bridge) Run(ctx context.Context) error {
	sink := b.output
	if sinks := b.sinks(); len(sinks) > 0 {
		sink = fullduplex.MultiSink(append([]fullduplex.Sink{b.output}, sinks...)...)
	}
	err := b.session.RunDuplex(ctx, b.input, sink)
	if err != nil {
		return err
	}
	if d, ok := b.output.(drainer); ok {
		dctx, cancel := context.WithTimeout(ctx, b.cfg.DrainTimeout)
		defer cancel()
		if derr := d.Drain(dctx); derr != nil && ctx.Err() == nil && !errors.Is(derr, context.DeadlineExceeded) {
			return fmt.Errorf("audio: draining the speaker: %w", derr)
		}
	}
	return nil
}

// Close closes the devices the Bridge opened (not Config.Input or
// Output) and the Source Config.Filter returned, if it is an io.Closer.
// It is idempotent.
func (b *Bridge) Close() error {
	var errs []error
	if c, ok := b.filtered.(io.Closer); ok {
		errs = append(errs, c.Close())
	}
	if b.mic != nil {
		errs = append(errs, b.mic.Close())
	}
	if b.spk != nil {
		errs = append(errs, b.spk.Close())
	}
	return errors.Join(errs...)
}

// Run opens the default (or configured) microphone and speaker, runs
// session over them with barge-in (see Bridge), and closes them. It returns
// what Bridge.Run returns.
func Run(ctx context.Context, session *fullduplex.DuplexSession, cfg Config) (err error) {
	b, err := NewBridge(session, cfg)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := b.Close(); err == nil {
			err = cerr
		}
	}()
	return b.Run(ctx)
}
