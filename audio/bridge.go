package audio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// Options configures a Bridge. The zero value opens the default microphone
// and speaker, with barge-in and the echo gate on.
type Options struct {
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
	// BargeIn configures the barge-in watcher (minimum speech, echo gate,
	// client-side end of turn).
	BargeIn bargein.Config
	// DisableBargeIn turns client-side barge-in off: only the backend's
	// interrupts stop the speaker.
	DisableBargeIn bool
	// EndOfTurn, if positive, ends the user's turn on the client after
	// this much silence following speech, with the stream's SendEnd (see
	// bargein.Config.EndOfTurn); useful with a backend that does not
	// detect turns itself, like geminitest's echo model. Default 0: off.
	EndOfTurn time.Duration
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
	opts     Options
	mic      *Microphone
	spk      *Speaker
	input    fullduplex.Source
	output   fullduplex.Sink
	watcher  *bargein.Watcher
	filtered fullduplex.Source // from Options.Filter: closed by Close if an io.Closer
}

// NewBridge opens the devices the options ask for (the default microphone
// and speaker unless Input and Output replace them) and wires barge-in to
// session.Interrupt.
func NewBridge(session *fullduplex.DuplexSession, opts Options) (*Bridge, error) {
	if session == nil {
		return nil, errors.New("audio: NewBridge needs a session")
	}
	if opts.DrainTimeout <= 0 {
		opts.DrainTimeout = 30 * time.Second
	}
	b := &Bridge{session: session, opts: opts, input: opts.Input, output: opts.Output}
	if b.output == nil {
		spk, err := OpenSpeaker(opts.Speaker)
		if err != nil {
			return nil, err
		}
		b.spk, b.output = spk, spk
	}
	if b.input == nil {
		mic, err := OpenMicrophone(opts.Microphone)
		if err != nil {
			_ = b.Close()
			return nil, err
		}
		b.mic, b.input = mic, mic
	}
	if opts.Filter != nil {
		in, err := opts.Filter(b.input, b.output)
		if err != nil {
			_ = b.Close()
			return nil, fmt.Errorf("audio: input filter: %w", err)
		}
		b.filtered = in
		b.input = in
	}
	mon, _ := b.output.(bargein.OutputMonitor)
	if !opts.DisableBargeIn && mon != nil || opts.EndOfTurn > 0 {
		cfg := opts.BargeIn
		if r, ok := b.filtered.(interface{ EchoReductionDB() float64 }); ok && cfg.EchoReduction == nil {
			cfg.EchoReduction = r.EchoReductionDB
		}
		if opts.EndOfTurn > 0 {
			cfg.EndOfTurn = opts.EndOfTurn
			cfg.OnEndOfTurn = func(ctx context.Context) error { return session.Stream().SendEnd(ctx) }
		}
		interrupt := session.Interrupt
		if opts.DisableBargeIn || mon == nil {
			interrupt = func() {}
			if mon == nil {
				mon = silentMonitor{}
			}
		}
		w, err := bargein.New(b.input, mon, interrupt, cfg)
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

type drainer interface {
	Drain(ctx context.Context) error
}

// Run runs the session with the microphone as sender and the speaker (plus
// Options.Sinks) as receiver, and returns what RunDuplex returns. When the
// stream ends cleanly it waits (up to DrainTimeout, or until ctx is done)
// for the speaker to play what is queued. Every goroutine it started has
// finished when it returns; the devices stay open until Close.
func (b *Bridge) Run(ctx context.Context) error {
	sink := b.output
	if len(b.opts.Sinks) > 0 {
		sink = fullduplex.MultiSink(append([]fullduplex.Sink{b.output}, b.opts.Sinks...)...)
	}
	err := b.session.RunDuplex(ctx, b.input, sink)
	if err != nil {
		return err
	}
	if d, ok := b.output.(drainer); ok {
		dctx, cancel := context.WithTimeout(ctx, b.opts.DrainTimeout)
		defer cancel()
		if derr := d.Drain(dctx); derr != nil && ctx.Err() == nil && !errors.Is(derr, context.DeadlineExceeded) {
			return fmt.Errorf("audio: draining the speaker: %w", derr)
		}
	}
	return nil
}

// Close closes the devices the Bridge opened (not Options.Input or
// Output) and the Source Options.Filter returned, if it is an io.Closer.
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
func Run(ctx context.Context, session *fullduplex.DuplexSession, opts Options) (err error) {
	b, err := NewBridge(session, opts)
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
