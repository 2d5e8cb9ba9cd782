package web

import (
	"context"
	"sync"
)

// An outItem is one frame waiting to be written to the page.
type outItem struct {
	messageType int
	data        []byte
	audio       bool  // dropped by a flush
	reason      error // of a close frame: why the connection ends
}

// An outQueue holds the frames waiting for the connection's writer: a
// bounded FIFO whose producer (Conn.Write) waits for room, and which a
// flush empties of audio at once, putting a clear message at its head. Its
// methods are safe for concurrent use; one goroutine pops.
type outQueue struct {
	max  int           // bytes; set at creation
	wake chan struct{} // cap 1: something to pop
	room chan struct{} // cap 1: bytes were freed

	mu    sync.Mutex // guards everything below
	items []outItem
	bytes int
	clear bool // a clear message is due before anything else
}

func newOutQueue(maxBytes int) *outQueue {
	return &outQueue{max: maxBytes, wake: make(chan struct{}, 1), room: make(chan struct{}, 1)}
}

func signal(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// push queues it, waiting while the queue holds max bytes or more (an
// empty queue takes any frame). It returns ctx's error, or done's when
// the connection ends first.
func (q *outQueue) push(ctx context.Context, done <-chan struct{}, it outItem) error {
	for {
		q.mu.Lock()
		if len(q.items) == 0 || q.bytes+len(it.data) <= q.max {
			q.add(it)
			q.mu.Unlock()
			return nil
		}
		q.mu.Unlock()
		select {
		case <-q.room:
		case <-ctx.Done():
			return ctx.Err()
		case <-done:
			return ErrClosed
		}
	}
}

// pushNow queues it whatever the queue holds: for the few small control
// frames the connection itself sends.
func (q *outQueue) pushNow(it outItem) {
	q.mu.Lock()
	q.add(it)
	q.mu.Unlock()
}

func (q *outQueue) add(it outItem) {
	q.items = append(q.items, it)
	q.bytes += len(it.data)
	signal(q.wake)
}

// pop returns the next frame, the clear message first when one is due.
func (q *outQueue) pop() (outItem, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.clear {
		q.clear = false
		mt, data := EncodeServer(ServerClear{})
		return outItem{messageType: mt, data: data}, true
	}
	if len(q.items) == 0 {
		return outItem{}, false
	}
	it := q.items[0]
	q.items[0] = outItem{}
	q.items = q.items[1:]
	q.bytes -= len(it.data)
	signal(q.room)
	return it, true
}

// flush drops every queued audio frame and puts a clear message first.
func (q *outQueue) flush() {
	q.mu.Lock()
	kept := q.items[:0]
	for _, it := range q.items {
		if it.audio {
			q.bytes -= len(it.data)
			continue
		}
		kept = append(kept, it)
	}
	clear(q.items[len(kept):])
	q.items = kept
	q.clear = true
	q.mu.Unlock()
	signal(q.wake)
	signal(q.room)
}

// empty reports whether nothing is waiting.
func (q *outQueue) empty() bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.items) == 0 && !q.clear
}
