package fullduplex

import (
	"context"
	"errors"
	"io"
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

// MergeSources returns a Source of every symbol of all srcs, for example a
// microphone and typed text.
//
// Given to DuplexSession.RunDuplex, each source is read by its own goroutine
// (owned and waited for by RunDuplex) and sent as soon as it is ready; the
// input ends with one SendEnd when every source has returned io.EOF. Read
// directly with Next, it drains the sources one after another, like
// io.MultiReader, since a plain Source cannot be read concurrently without
// goroutines that nobody would own.
func MergeSources(srcs ...Source) Source {
	return &mergedSource{srcs: append([]Source(nil), srcs...)}
}

type mergedSource struct {
	srcs []Source
	cur  int
}

func (m *mergedSource) Next(ctx context.Context) (Symbol, error) {
	for m.cur < len(m.srcs) {
		s, err := m.srcs[m.cur].Next(ctx)
		if errors.Is(err, io.EOF) {
			m.cur++
			continue
		}
		return s, err
	}
	return Symbol{}, io.EOF
}
