package playback

import (
	"context"
	"errors"
	"sync"
)

// ErrCleared is returned by Push when Clear dropped the queue while Push was
// waiting for room, or before it started (its generation is over). The
// samples not yet queued were dropped.
var ErrCleared = errors.New("playback: queue cleared")

// ErrClosed is returned by Push after Close.
var ErrClosed = errors.New("playback: queue closed")

// A Queue is a bounded FIFO of int16 samples.
//
// All methods are safe for concurrent use; Pull and TryPush allocate nothing
// and never wait for more than a copy under the queue's mutex, so they may be
// called from a real-time audio callback.
type Queue struct {
	mu     sync.Mutex
	buf    []int16
	r, n   int    // read index and number of queued samples
	gen    uint64 // incremented by Clear
	closed bool
	pushed int64 // samples ever queued
	pulled int64 // samples ever taken out by Pull
	drops  int64 // samples dropped: TryPush with no room, and Clear

	space chan struct{} // cap 1: signalled when room appears
	data  chan struct{} // cap 1: signalled when samples are queued
	done  chan struct{} // closed by Close
}

// New returns a Queue holding at most capacity samples (at least 1).
func New(capacity int) *Queue {
	return &Queue{
		buf:   make([]int16, max(1, capacity)),
		space: make(chan struct{}, 1),
		data:  make(chan struct{}, 1),
		done:  make(chan struct{}),
	}
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Cap returns the capacity in samples.
func (q *Queue) Cap() int { return len(q.buf) }

// Len returns the number of queued samples.
func (q *Queue) Len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// Generation returns the current generation: the number of Clear calls so far.
func (q *Queue) Generation() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.gen
}

// Stats returns the samples ever queued, ever pulled, and dropped (by
// TryPush for lack of room and by Clear).
func (q *Queue) Stats() (pushed, pulled, dropped int64) {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed, q.pulled, q.drops
}

// Read returns the read position: the samples ever queued less those still
// queued (pulled, or dropped by Clear). Positions count from the first
// sample ever queued, as a Turns ledger does.
func (q *Queue) Read() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed - int64(q.n)
}

// Pushed returns the samples ever queued: the position of the next one.
func (q *Queue) Pushed() int64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.pushed
}

// Data returns a channel that receives a value after samples are queued.
// It has a buffer of one: a waiter must check Len (or Pull) after waking.
func (q *Queue) Data() <-chan struct{} { return q.data }

// Done returns a channel closed by Close.
func (q *Queue) Done() <-chan struct{} { return q.done }

// pushLocked copies as much of s as fits and returns the count.
func (q *Queue) pushLocked(s []int16) int {
	free := len(q.buf) - q.n
	k := min(free, len(s))
	w := (q.r + q.n) % len(q.buf)
	c := copy(q.buf[w:], s[:k])
	copy(q.buf, s[c:k])
	q.n += k
	q.pushed += int64(k)
	return k
}

// TryPush queues as much of s as fits without waiting, counts the rest as
// dropped, and returns how many samples it queued. It allocates nothing.
func (q *Queue) TryPush(s []int16) int {
	q.mu.Lock()
	k := 0
	if !q.closed {
		k = q.pushLocked(s)
	}
	q.drops += int64(len(s) - k)
	q.mu.Unlock()
	if k > 0 {
		signal(q.data)
	}
	return k
}

// Push queues all of s, waiting for room while the queue is full, as long as
// the queue's generation is still gen (see Generation). It returns how many
// samples it queued and nil once every sample is queued; ErrCleared when a
// Clear intervened (the rest of s is dropped); ErrClosed after Close; ctx's
// error when ctx is done first.
func (q *Queue) Push(ctx context.Context, gen uint64, s []int16) (int, error) {
	total := 0
	for {
		q.mu.Lock()
		switch {
		case q.closed:
			q.mu.Unlock()
			return total, ErrClosed
		case q.gen != gen:
			q.mu.Unlock()
			return total, ErrCleared
		}
		k := q.pushLocked(s)
		q.mu.Unlock()
		if k > 0 {
			signal(q.data)
		}
		total += k
		s = s[k:]
		if len(s) == 0 {
			return total, nil
		}
		select {
		case <-q.space:
		case <-q.done:
		case <-ctx.Done():
			return total, ctx.Err()
		}
	}
}

// Pull moves up to len(dst) samples from the front of the queue into dst and
// returns how many. It never waits for samples and allocates nothing.
func (q *Queue) Pull(dst []int16) int {
	q.mu.Lock()
	k := min(q.n, len(dst))
	if k > 0 {
		c := copy(dst[:k], q.buf[q.r:min(q.r+k, len(q.buf))])
		copy(dst[c:k], q.buf)
		q.r = (q.r + k) % len(q.buf)
		q.n -= k
		q.pulled += int64(k)
	}
	q.mu.Unlock()
	if k > 0 {
		signal(q.space)
	}
	return k
}

// Clear drops every queued sample and starts a new generation, so a Push of
// the old generation queues nothing more. It returns the number of samples
// dropped.
func (q *Queue) Clear() int {
	q.mu.Lock()
	k := q.n
	q.r, q.n = 0, 0
	q.gen++
	q.drops += int64(k)
	q.mu.Unlock()
	signal(q.space)
	return k
}

// Close makes every later Push fail with ErrClosed and TryPush queue nothing,
// and wakes waiting Pushes. Pull still drains what is queued. It is
// idempotent.
func (q *Queue) Close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if !q.closed {
		q.closed = true
		close(q.done)
	}
}
