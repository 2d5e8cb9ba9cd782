package attention

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Many writers putting while one taker takes: every read arrives once, in
// its writer's order, and the taker, waiting only on wake, never misses
// the last batch.
func TestMailboxDeliversEveryReadInOrder(t *testing.T) {
	const writers, each = 8, 5000
	m := newMailbox(writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range each {
				if err := m.put(context.Background(), w, read{i: k, slot: w}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	next := make([]int, writers)
	var got []read
	for total := 0; total < writers*each; {
		got = m.take(got)
		if len(got) == 0 {
			<-m.wake
			continue
		}
		for _, r := range got {
			require.Equal(t, next[r.slot], r.i, "writer %d's reads out of order", r.slot)
			next[r.slot]++
			total++
		}
	}
	wg.Wait()
	assert.Empty(t, m.take(got), "reads beyond those put")
}

// A writer is at most slotDepth reads ahead of the taker: its next put
// waits for a take, and gives up with ctx's error, the read not put.
func TestMailboxBoundsEachWriter(t *testing.T) {
	m := newMailbox(2)
	done, cancel := context.WithCancel(context.Background())
	cancel()
	for k := range slotDepth {
		require.NoError(t, m.put(done, 0, read{i: k}), "put %d has room", k)
	}
	require.ErrorIs(t, m.put(done, 0, read{i: slotDepth}), context.Canceled)
	require.NoError(t, m.put(done, 1, read{slot: 1}), "another writer's slot is its own")
	require.NoError(t, m.put(done, 0, read{i: slotDepth, eof: true}), "an end never waits")

	got := m.take(nil)
	require.Len(t, got, slotDepth+2)
	for k := range slotDepth {
		assert.Equal(t, k, got[k].i)
	}
	assert.Equal(t, read{i: slotDepth, eof: true}, got[slotDepth+1])
	require.NoError(t, m.put(done, 0, read{i: slotDepth}), "a take makes room")
}

// A writer blocked on a full slot is released by the take that empties
// it, without a later put waking it.
func TestMailboxTakeReleasesABlockedWriter(t *testing.T) {
	m := newMailbox(1)
	for range slotDepth {
		require.NoError(t, m.put(context.Background(), 0, read{}))
	}
	put := make(chan error)
	go func() { put <- m.put(context.Background(), 0, read{i: 1}) }()
	for blocked := false; !blocked; runtime.Gosched() {
		m.mu.Lock()
		blocked = len(m.waiting) == 1
		m.mu.Unlock()
	}
	got := m.take(nil)
	require.NoError(t, <-put)
	assert.Len(t, got, slotDepth)
	assert.Equal(t, []read{{i: 1}}, m.take(got))
}
