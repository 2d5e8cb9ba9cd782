package main

import (
	"context"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
)

// transcript prints the conversation and marks where barge-in cut the
// model off. Write and Interrupted are safe from any goroutine.
type transcript struct {
	mu     sync.Mutex
	t      *console.Transcript
	marked bool // an [interrupted] is printed for the cut the stream has not ended yet
}

func (p *transcript) Write(ctx context.Context, item fullduplex.StreamItem) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := item.(fullduplex.StreamEvent); ok && e.Type == fullduplex.EventInterrupt && p.marked {
		p.marked = false // the backend's own word for the cut already printed
		return nil
	}
	return p.t.Write(ctx, item)
}

// Interrupted prints the [interrupted] marker: the client cut the answer.
func (p *transcript) Interrupted() {
	p.mu.Lock()
	defer p.mu.Unlock()
	_ = p.t.Write(context.Background(), fullduplex.NewEvent(fullduplex.EventInterrupt, nil))
	p.marked = true
}
