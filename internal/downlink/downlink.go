// Package downlink holds what the WebSocket backends (gemini, openai) share
// on their way to the application: a Receive over a bounded item channel
// that ends with the stream's error, a bounded wait for a stream's
// goroutines on Close, and a non-blocking test of a closed channel.
package downlink

import (
	"context"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// Receive returns the next item from items, or ctx's error, or
// fullduplex.ErrClosed once closed is done. Once ended is done it still
// returns the items left in items, then end(): the error that ended the
// stream (io.EOF for a clean end), which must be set before ended is
// closed. Safe from any goroutine.
func Receive(ctx context.Context, items <-chan fullduplex.StreamItem, closed, ended <-chan struct{}, end func() error) (fullduplex.StreamItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case it := <-items:
		return it, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-closed:
		return nil, fullduplex.ErrClosed
	case <-ended:
		select {
		case it := <-items:
			return it, nil
		default:
			return nil, end()
		}
	}
}

// CloseWait is how long a stream's Close waits for its goroutines: well
// under the one second the contract allows, since the waiting itself takes
// a little time on a loaded machine.
const CloseWait = 800 * time.Millisecond

// WaitAtMost waits for wg, or for d to pass. A goroutine stuck past d (in an
// SDK call that nothing can abort) keeps one helper goroutine waiting with
// it until it ends.
func WaitAtMost(wg *sync.WaitGroup, d time.Duration) {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	}
}

// IsDone reports whether ch is closed, without blocking.
func IsDone(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
