package downlink

import (
	"sync"

	"github.com/fullduplex-go/fullduplex"
)

// An Outlet is the way from a stream's producers to its item channel. A
// stream has two producers per connection: the goroutine reading the
// connection, which maps each server message to items and pushes them
// itself (no hand-off to another goroutine on the way), and the one acting
// on timers (a cut answer's terminator held for its usage, the end after
// CloseSend, a session cap). Each produces under the outlet's lock, taken
// before the stream's state lock and held until its items are in the
// channel, so items arrive in the order the state produced them.
//
// Begin and End are for any goroutine, in pairs; the buffer Begin returns
// is the outlet's, reused, so delivering allocates nothing.
type Outlet struct {
	items chan<- fullduplex.StreamItem // immutable
	done  <-chan struct{}              // immutable: closed by the stream's Close

	mu  sync.Mutex
	buf []fullduplex.StreamItem // (mu) the items being produced
}

// NewOutlet returns an outlet that delivers into items until done is
// closed.
func NewOutlet(items chan<- fullduplex.StreamItem, done <-chan struct{}) *Outlet {
	return &Outlet{items: items, done: done}
}

// Begin locks the outlet and returns its buffer, empty, for the caller to
// append the items it produces; End delivers them and unlocks.
func (o *Outlet) Begin() []fullduplex.StreamItem {
	o.mu.Lock()
	return o.buf[:0]
}

// End pushes buf's items into the channel in order, waiting for room, and
// unlocks the outlet. It reports false when done was closed first (the
// rest is dropped: the stream is closed).
func (o *Outlet) End(buf []fullduplex.StreamItem) bool {
	defer o.mu.Unlock()
	ok := true
	for i, it := range buf {
		if ok {
			select {
			case o.items <- it:
			case <-o.done:
				ok = false
			}
		}
		buf[i] = nil // the channel holds it now: the buffer keeps no reference
	}
	o.buf = buf[:0]
	return ok
}

// Push delivers one item, like Begin, append, End.
func (o *Outlet) Push(it fullduplex.StreamItem) bool {
	return o.End(append(o.Begin(), it))
}
