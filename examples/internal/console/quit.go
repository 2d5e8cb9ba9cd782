package console

import (
	"context"
	"errors"
	"io"
	"sync"

	"github.com/fullduplex-go/fullduplex"
)

// QuitAfterAnswers ends a chat when the user's input has ended (Ctrl-D)
// and the model has answered every message sent: it wraps the chat's
// Source and Sink and calls quit then. Safe for concurrent use by the
// session's sending and receiving goroutines.
type QuitAfterAnswers struct {
	Source fullduplex.Source
	Sink   fullduplex.Sink
	Quit   func()

	mu        sync.Mutex
	pending   int // messages sent and not answered yet
	inputDone bool
}

// Next passes on the Source's symbols and notes the end of input.
func (q *QuitAfterAnswers) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := q.Source.Next(ctx)
	q.mu.Lock()
	defer q.mu.Unlock()
	switch {
	case errors.Is(err, io.EOF):
		q.inputDone = true
		q.quitIfDoneLocked()
	case err == nil && s.Modality == fullduplex.ModalityText:
		q.pending++
	}
	return s, err
}

// Write passes item on and counts answered turns.
func (q *QuitAfterAnswers) Write(ctx context.Context, item fullduplex.StreamItem) error {
	err := q.Sink.Write(ctx, item)
	if ev, ok := item.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventStreamEnd {
		q.mu.Lock()
		q.pending = max(0, q.pending-1)
		q.quitIfDoneLocked()
		q.mu.Unlock()
	}
	return err
}

func (q *QuitAfterAnswers) quitIfDoneLocked() {
	if q.inputDone && q.pending == 0 {
		q.Quit()
	}
}
