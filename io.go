package fullduplex

import (
	"context"
	"errors"
	"io"
	"time"
)

// A Source produces the symbols a session sends. Next blocks until the next
// Symbol is ready or ctx is done, and returns io.EOF when the input is
// finished. A Source is read by one goroutine at a time.
type Source interface {
	Next(ctx context.Context) (Symbol, error)
}

// A Sink renders what comes back from a stream: symbols and events.
// Write must not block on real-time playback: a speaker enqueues and plays on
// its own clock. A Sink is written by one goroutine at a time, but a Sink
// that is also a Flusher must accept Flush from any goroutine.
type Sink interface {
	Write(ctx context.Context, item StreamItem) error
}

// A Flusher is a Sink that buffers output and can drop it at once. Flush
// must return quickly and may be called from any goroutine.
type Flusher interface {
	Flush()
}

// A PlaybackReporter is a Sink that plays audio in real time and knows how
// much of each model turn the listener has really heard: audio.Speaker
// counts what its device callback played, a real-time WAV sink its clock.
// Played must be safe to call from any goroutine and return quickly.
type PlaybackReporter interface {
	// Played returns how much of the audio of model turn turn (the
	// MetaTurn of its symbols) has been played out so far: not what was
	// written or queued, and not what a Flush dropped. It is 0 for a turn
	// the sink has not played.
	Played(turn int) time.Duration
}

// A PlaybackUser is a DuplexStream that uses what the listener really
// heard, for example to truncate the model's memory of a cut answer to the
// part that was played. RunDuplex hands it the receiver's PlaybackReporter
// before it connects and nil when it returns; nil also means no sink
// reports playback, so everything received counts as heard.
type PlaybackUser interface {
	UsePlayback(p PlaybackReporter)
}

// playbackOf returns the PlaybackReporter of sink: sink itself, or the first
// member of a MultiSink that is one; nil if none.
func playbackOf(sink Sink) PlaybackReporter {
	switch s := sink.(type) {
	case multiSink:
		for _, m := range s {
			if p := playbackOf(m); p != nil {
				return p
			}
		}
	case PlaybackReporter:
		return s
	}
	return nil
}

// SourceFunc adapts a function to a Source.
type SourceFunc func(ctx context.Context) (Symbol, error)

// Next calls f(ctx).
func (f SourceFunc) Next(ctx context.Context) (Symbol, error) { return f(ctx) }

// SinkFunc adapts a function to a Sink.
type SinkFunc func(ctx context.Context, item StreamItem) error

// Write calls f(ctx, item).
func (f SinkFunc) Write(ctx context.Context, item StreamItem) error { return f(ctx, item) }

// MultiSink returns a Sink that writes every item to each of sinks in order,
// for example a speaker and a transcript printer. Every sink gets every item
// even when one fails; the errors are joined. The result is a Flusher that
// flushes each sink that is one.
func MultiSink(sinks ...Sink) Sink {
	return multiSink(append([]Sink(nil), sinks...))
}

type multiSink []Sink

func (m multiSink) Write(ctx context.Context, item StreamItem) error {
	var errs []error
	for _, s := range m {
		if err := s.Write(ctx, item); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (m multiSink) Flush() {
	for _, s := range m {
		if f, ok := s.(Flusher); ok {
			f.Flush()
		}
	}
}

// MergeSources returns a Source of every symbol of all srcs, each as soon
// as it is ready, for example a microphone and typed text; it ends with
// io.EOF when every source has.
//
// Given to DuplexSession.RunDuplex, each source is read by its own goroutine
// (owned and waited for by RunDuplex), and the input is closed once, after
// the last source's io.EOF. Read directly, each Next reads every open source
// at once on goroutines that have all finished when it returns: the first
// symbol wins, the other reads are abandoned by cancelling their ctx (any
// symbol they still return is kept for the next call). So the sources must
// lose nothing when their ctx is cancelled, as the Source contract asks.
func MergeSources(srcs ...Source) Source {
	return &mergedSource{srcs: append([]Source(nil), srcs...)}
}

// A mergedSource is read by one goroutine at a time, like every Source.
type mergedSource struct {
	srcs  []Source // the sources, for RunDuplex
	eof   []bool   // eof[i]: srcs[i] returned io.EOF (direct reads)
	ready []Symbol // read and not returned yet (direct reads)
	err   error    // a source's error, returned once ready is empty (direct reads)
}

type mergedRead struct {
	i   int
	sym Symbol
	err error
}

func (m *mergedSource) Next(ctx context.Context) (Symbol, error) {
	if m.eof == nil {
		m.eof = make([]bool, len(m.srcs))
	}
	for len(m.ready) == 0 {
		if m.err != nil {
			return Symbol{}, m.err
		}
		if err := m.readAll(ctx); err != nil {
			return Symbol{}, err
		}
	}
	s := m.ready[0]
	m.ready[0] = Symbol{}
	m.ready = m.ready[1:]
	return s, nil
}

// readAll reads every open source at once until one yields a symbol, then
// abandons the rest and keeps what they yield. It returns io.EOF when no
// source is open.
func (m *mergedSource) readAll(ctx context.Context) error {
	rctx, abandon := context.WithCancel(ctx)
	defer abandon()
	results := make(chan mergedRead, len(m.srcs))
	reading := 0
	for i, src := range m.srcs {
		if !m.eof[i] {
			reading++
			go func() {
				sym, err := src.Next(rctx)
				results <- mergedRead{i, sym, err}
			}()
		}
	}
	if reading == 0 {
		return io.EOF
	}
	for ; reading > 0; reading-- {
		r := <-results
		switch {
		case r.err == nil:
			m.ready = append(m.ready, r.sym)
			abandon()
		case errors.Is(r.err, io.EOF):
			m.eof[r.i] = true
		case rctx.Err() != nil && ctx.Err() == nil:
			// abandoned after another source won: nothing lost
		case ctx.Err() != nil:
			// the caller gave up: Next returns ctx's error below
		case m.err == nil:
			m.err = r.err // returned once the symbols read with it are
			abandon()
		}
	}
	if len(m.ready) == 0 && m.err == nil {
		return ctx.Err()
	}
	return nil
}
