package attention

import "github.com/fullduplex-go/fullduplex"

// memberQueue is how many items a member's reader reads ahead of Receive.
const memberQueue = 64

// A member is a connected member of a CompositeStream; every field but the
// constant ones is guarded by the stream's mu.
type member struct {
	name  string
	s     fullduplex.DuplexStream
	hears bool
	room  chan struct{} // cap 1: Receive took an item
	moved chan struct{} // cap 1: the reader queued an item or ended

	q       itemQueue // read, not taken yet
	done    bool      // the reader has ended, with err
	err     error
	handled bool // the end was dealt with

	inTurn   bool   // inside a model turn
	visible  bool   // the turn in progress is passed on
	turn     int    // the stream's number for the turn in progress
	numbered bool   // turn was taken from the turn's symbols
	mapped   [2]int // the last turn numbers noted for its PlaybackReporter: its own, the stream's
	swallow  int    // turns not to pass on (answers to a context nobody asked about)
	counted  bool   // the turn in progress is one of swallow's
	dirty    bool   // input was sent since its last end of input
}

func newMember(m Member) *member {
	return &member{name: m.Name, s: m.Stream, hears: m.Hears, room: make(chan struct{}, 1), moved: make(chan struct{}, 1)}
}

// itemQueue is a FIFO of stream items that reuses its storage.
type itemQueue struct {
	buf  []fullduplex.StreamItem
	head int
}

func (q *itemQueue) len() int { return len(q.buf) - q.head }

func (q *itemQueue) push(it fullduplex.StreamItem) {
	if q.head > 0 && len(q.buf) == cap(q.buf) {
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	q.buf = append(q.buf, it)
}

func (q *itemQueue) pop() (fullduplex.StreamItem, bool) {
	if q.head >= len(q.buf) {
		return nil, false
	}
	it := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	return it, true
}

// startReader starts m's reader; c.mu is held.
func (c *CompositeStream) startReader(m *member) {
	c.wg.Add(1)
	go c.read(m)
}

// read receives from m until it ends, queueing what it gets, at most
// memberQueue items (and one) ahead of Receive; once full, it waits until
// Receive has taken half of them.
func (c *CompositeStream) read(m *member) {
	defer c.wg.Done()
	for {
		item, err := m.s.Receive(c.ctx)
		c.mu.Lock()
		if err != nil {
			m.done, m.err = true, err
			c.mu.Unlock()
			c.signal()
			signalRoom(m.moved)
			return
		}
		m.q.push(item)
		full := m.q.len() >= memberQueue
		c.mu.Unlock()
		c.signal()
		signalRoom(m.moved)
		if full {
			select {
			case <-m.room:
			case <-c.ctx.Done():
				return
			}
		}
	}
}

func (c *CompositeStream) signal() {
	select {
	case c.ready <- struct{}{}:
	default:
	}
}

// signalRoom signals ch (of capacity 1) without blocking.
func signalRoom(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}
