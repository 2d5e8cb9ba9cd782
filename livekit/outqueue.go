package livekit

import (
	"context"
	"errors"
	"sync"
)

// errQueueClosed is returned by outQueue.push after close.
var errQueueClosed = errors.New("livekit: room closed")

// maxTurnsKept bounds how many turns' played durations are remembered.
const maxTurnsKept = 64

// An outQueue is the bounded FIFO of model audio (mono, at the track's
// rate) between Write and the track's pacer, with each sample's model turn,
// so that what the pacer plays counts toward the turn it belongs to.
//
// All methods are safe for concurrent use; pull never waits for more than
// a copy under the mutex.
type outQueue struct {
	mu     sync.Mutex // guards every field below
	chunks []outChunk // queued audio, oldest first
	n      int        // samples in chunks
	cap    int        // most samples queued at once
	gen    uint64     // generation: the number of clears so far
	closed bool
	played map[int]int   // samples played per turn (turns > 0)
	order  []int         // the turns in played, oldest first
	room   chan struct{} // signalled when samples leave the queue
}

type outChunk struct {
	turn    int
	samples []int16
}

func newOutQueue(capacity int) *outQueue {
	return &outQueue{cap: max(1, capacity), played: map[int]int{}, room: make(chan struct{}, 1)}
}

func wake(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// generation returns the current generation.
func (q *outQueue) generation() uint64 {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.gen
}

// push queues s as audio of turn, waiting for room while the queue is full,
// as long as the generation is still gen; after a clear the rest of s is
// dropped and push returns nil.
func (q *outQueue) push(ctx context.Context, gen uint64, turn int, s []int16) error {
	for len(s) > 0 {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return errQueueClosed
		}
		if q.gen != gen {
			q.mu.Unlock()
			return nil
		}
		if k := min(len(s), q.cap-q.n); k > 0 {
			q.chunks = append(q.chunks, outChunk{turn, append([]int16(nil), s[:k]...)})
			q.n += k
			s = s[k:]
			q.mu.Unlock()
			continue
		}
		q.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-q.room:
		}
	}
	return nil
}

// pull moves up to len(dst) samples into dst, counts them as played for
// their turns, and returns how many it moved.
func (q *outQueue) pull(dst []int16) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := 0
	for k < len(dst) && len(q.chunks) > 0 {
		c := &q.chunks[0]
		m := copy(dst[k:], c.samples)
		k += m
		q.notePlayed(c.turn, m)
		if m == len(c.samples) {
			q.chunks[0] = outChunk{}
			q.chunks = q.chunks[1:]
		} else {
			c.samples = c.samples[m:]
		}
	}
	q.n -= k
	if k > 0 {
		wake(q.room)
	}
	return k
}

func (q *outQueue) notePlayed(turn, n int) {
	if turn < 0 {
		return
	}
	if _, ok := q.played[turn]; !ok {
		q.order = append(q.order, turn)
		if len(q.order) > maxTurnsKept {
			delete(q.played, q.order[0])
			q.order = q.order[1:]
		}
	}
	q.played[turn] += n
}

// playedSamples returns the samples of turn played so far.
func (q *outQueue) playedSamples(turn int) int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.played[turn]
}

// len returns the queued samples.
func (q *outQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.n
}

// clear drops everything queued and starts a new generation.
func (q *outQueue) clear() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.chunks, q.n = nil, 0
	q.gen++
	wake(q.room)
}

// close makes every later push fail and wakes a waiting one.
func (q *outQueue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.chunks, q.n = nil, 0
	wake(q.room)
}
