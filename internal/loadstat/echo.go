package loadstat

import (
	"context"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// Echo is a fullduplex.DuplexStream playing the cheapest possible model
// for a load test: it answers every symbol sent at once with the same
// audio, as model audio of turn 1. Got is called with each symbol Send
// takes and when, Emitted when Receive returns an answer. Send and Receive
// may run on two goroutines at once; Close from any.
type Echo struct {
	got     func(fullduplex.Symbol, time.Time)
	emitted func(time.Time)
	out     chan fullduplex.Symbol
	done    chan struct{}
	once    sync.Once
}

// NewEcho returns an Echo that reports to got and emitted.
func NewEcho(got func(fullduplex.Symbol, time.Time), emitted func(time.Time)) *Echo {
	return &Echo{got: got, emitted: emitted, out: make(chan fullduplex.Symbol, 64), done: make(chan struct{})}
}

func (e *Echo) Connect(context.Context) error { return nil }
func (e *Echo) Connected() bool               { return true }
func (e *Echo) SendEnd(context.Context) error { return nil }

// Close ends Send and Receive with fullduplex.ErrClosed.
func (e *Echo) Close() error {
	e.once.Do(func() { close(e.done) })
	return nil
}

// Send queues s's answer; it waits while 64 answers are waiting.
func (e *Echo) Send(ctx context.Context, s fullduplex.Symbol) error {
	e.got(s, time.Now())
	answer := fullduplex.AudioSymbol(s.Data, s.SampleRate()).WithMeta(fullduplex.MetaTurn, 1)
	select {
	case e.out <- answer:
		return nil
	case <-e.done:
		return fullduplex.ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Receive returns the next answer.
func (e *Echo) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	select {
	case s := <-e.out:
		e.emitted(time.Now())
		return s, nil
	case <-e.done:
		return nil, fullduplex.ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
