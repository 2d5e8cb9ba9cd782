package attention

import (
	"context"
	"sync"
)

// slotDepth is how many reads one writer (an input's reader, or its
// transcriber) may have waiting in a mailbox before it blocks.
const slotDepth = 4

// A mailbox carries reads from Run's goroutines to Next in batches. Each
// writer owns one slot and appends to a shared batch under a mutex, at most
// slotDepth reads ahead; Next takes the whole batch at once and is woken
// only when the batch goes from empty to non-empty. Over many inputs this
// costs one lock per read and one wake-up per batch, where a channel costs
// a contended lock and often a wake-up per read. The order of the batch is
// the order the writers put their reads in.
//
// put is for the slot's one writer at a time; take is for one goroutine
// (Next's) at a time; the two run concurrently. Memory is bounded: at most
// slotDepth reads per slot wait in the batch, and one more at its end.
type mailbox struct {
	wake chan struct{} // holds a token when the batch went non-empty since the last take

	mu      sync.Mutex
	batch   []read
	pending []int           // per slot: its reads in batch
	waiting []int           // slots blocked in put, to release at the next take
	room    []chan struct{} // per slot: a token when it may put again
}

func newMailbox(slots int) *mailbox {
	m := &mailbox{
		wake:    make(chan struct{}, 1),
		pending: make([]int, slots),
		room:    make([]chan struct{}, slots),
	}
	for k := range m.room {
		m.room[k] = make(chan struct{}, 1)
	}
	return m
}

// put appends r to the batch from slot, waiting while the slot has
// slotDepth reads in it; it returns ctx's error if ctx is done first, and
// r is then not put. A writer's last read (r.eof) never waits: an input's
// end reaches Next in the order it happened, not after the later reads of
// other inputs that a full slot would let by.
func (m *mailbox) put(ctx context.Context, slot int, r read) error {
	for {
		m.mu.Lock()
		if m.pending[slot] < slotDepth || r.eof {
			first := len(m.batch) == 0
			m.batch = append(m.batch, r)
			m.pending[slot]++
			m.mu.Unlock()
			if first {
				select {
				case m.wake <- struct{}{}:
				default: // a token is there already
				}
			}
			return nil
		}
		m.waiting = append(m.waiting, slot)
		m.mu.Unlock()
		select {
		case <-m.room[slot]:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// take returns the batch and starts a new one, in buf (the previous
// take's result, whose reads have all been handled). It returns an empty
// slice when nothing is waiting.
func (m *mailbox) take(buf []read) []read {
	clear(buf)
	m.mu.Lock()
	got := m.batch
	m.batch = buf[:0]
	for _, r := range got {
		m.pending[r.slot]--
	}
	for _, s := range m.waiting {
		select {
		case m.room[s] <- struct{}{}:
		default: // released already, and not waiting since
		}
	}
	m.waiting = m.waiting[:0]
	m.mu.Unlock()
	return got
}
