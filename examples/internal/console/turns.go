package console

import (
	"context"
	"sync"

	"github.com/fullduplex-go/fullduplex"
)

// Turns sits between a chat's typed input and its output, and gives typing
// its meaning: a line typed while an answer is streaming (model output seen
// since the last turn terminator) calls Interrupt first, so the new
// message cuts that answer off (barge-in). A line typed before the answer
// has begun cuts nothing: it waits for its own answer, in order, as every
// backend queues it (see the turn grammar of fullduplex.DuplexStream).
// Turns knows nothing about any backend; it relies on that grammar alone.
//
// Use one Turns as both the Source and the Sink of a DuplexSession; it is
// safe for use by the session's sending and receiving goroutines at once.
type Turns struct {
	Source    fullduplex.Source
	Sink      fullduplex.Sink
	Interrupt func() // e.g. session.Interrupt

	mu        sync.Mutex
	streaming bool // model output written since the last terminator
	cutting   bool // Interrupt was called; the cut answer's terminator is still to come
}

// Next passes on the Source's symbols, interrupting a streaming answer
// before a typed line.
func (t *Turns) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := t.Source.Next(ctx)
	if err != nil || s.Modality != fullduplex.ModalityText {
		return s, err
	}
	t.mu.Lock()
	cut := t.streaming
	if cut {
		t.streaming, t.cutting = false, true
	}
	t.mu.Unlock()
	if cut && t.Interrupt != nil {
		t.Interrupt() // the cut answer still ends with its own terminator
	}
	return s, nil
}

// Write follows the turns, then passes item on: model output marks an
// answer as streaming, a terminator ends it.
func (t *Turns) Write(ctx context.Context, item fullduplex.StreamItem) error {
	t.mu.Lock()
	switch it := item.(type) {
	case fullduplex.Symbol:
		if it.Role() != fullduplex.RoleUser && !t.cutting {
			t.streaming = true
		}
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd || it.Type == fullduplex.EventInterrupt {
			t.streaming, t.cutting = false, false
		}
	}
	t.mu.Unlock()
	return t.Sink.Write(ctx, item)
}
