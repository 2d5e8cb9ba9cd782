package console

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/fullduplex-go/fullduplex"
)

// Turns sits between a chat's typed input and its output. It counts the
// messages the model has not finished answering, and so:
//   - typing a line while an answer streams calls Interrupt first (the
//     session's barge-in), so the new message cuts the old answer off;
//   - when the input ends (Ctrl-D) and every message has been answered, it
//     calls Quit.
//
// Use one Turns as both the Source and the Sink of a DuplexSession; it is
// safe for use by the session's sending and receiving goroutines at once.
type Turns struct {
	Source    fullduplex.Source
	Sink      fullduplex.Sink
	Interrupt func() // e.g. session.Interrupt
	Quit      func() // e.g. the cancel of RunDuplex's ctx

	mu        sync.Mutex
	pending   int  // messages sent and not answered yet
	cut       bool // the last event was an interrupt: a turnComplete may follow it
	inputDone bool
}

// Next passes on the Source's symbols, interrupting a streaming answer.
func (t *Turns) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := t.Source.Next(ctx)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case errors.Is(err, io.EOF):
		t.inputDone = true
		t.quitIfDoneLocked()
	case err == nil && s.Modality == fullduplex.ModalityText:
		if t.pending > 0 && t.Interrupt != nil {
			t.Interrupt() // the old answer still ends with its own event
		}
		t.pending++
	}
	return s, err
}

// Write passes item on and counts the answers that ended.
func (t *Turns) Write(ctx context.Context, item fullduplex.StreamItem) error {
	err := t.Sink.Write(ctx, item)
	t.mu.Lock()
	defer t.mu.Unlock()
	switch it := item.(type) {
	case fullduplex.Symbol:
		t.cut = false
	case fullduplex.StreamEvent:
		switch it.Type {
		case fullduplex.EventInterrupt:
			t.answeredLocked()
			t.cut = true
		case fullduplex.EventStreamEnd:
			if !t.cut { // Live sends turnComplete after interrupted: one end
				t.answeredLocked()
			}
			t.cut = false
		}
	}
	return err
}

func (t *Turns) answeredLocked() {
	t.pending = max(0, t.pending-1)
	t.quitIfDoneLocked()
}

func (t *Turns) quitIfDoneLocked() {
	if t.inputDone && t.pending == 0 && t.Quit != nil {
		t.Quit()
	}
}
