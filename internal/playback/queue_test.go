package playback

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func seq(from, n int) []int16 {
	s := make([]int16, n)
	for i := range s {
		s[i] = int16(from + i)
	}
	return s
}

func TestQueueFIFOWrapsAround(t *testing.T) {
	q := New(5)
	dst := make([]int16, 5)
	next := 0
	want := 0
	for round := range 20 {
		k := q.TryPush(seq(next, 1+round%4))
		next += k
		n := q.Pull(dst[:1+round%3])
		for _, v := range dst[:n] {
			require.Equal(t, int16(want), v)
			want++
		}
	}
	for q.Len() > 0 {
		n := q.Pull(dst)
		for _, v := range dst[:n] {
			require.Equal(t, int16(want), v)
			want++
		}
	}
	assert.Equal(t, next, want)
}

func TestQueueTryPushCountsDrops(t *testing.T) {
	q := New(4)
	assert.Equal(t, 4, q.TryPush(seq(0, 6)))
	pushed, pulled, dropped := q.Stats()
	assert.Equal(t, []int64{4, 0, 2}, []int64{pushed, pulled, dropped})
	assert.Equal(t, 4, q.Len())
	assert.Equal(t, 4, q.Cap())
}

func TestQueuePushBlocksUntilRoom(t *testing.T) {
	q := New(4)
	var wg sync.WaitGroup
	var err error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err = q.Push(context.Background(), q.Generation(), seq(0, 10))
	}()
	got := make([]int16, 0, 10)
	buf := make([]int16, 3)
	for len(got) < 10 {
		<-q.Data()
		for {
			n := q.Pull(buf)
			if n == 0 {
				break
			}
			got = append(got, buf[:n]...)
		}
	}
	wg.Wait()
	require.NoError(t, err)
	assert.Equal(t, seq(0, 10), got)
}

func TestQueueClearEndsGeneration(t *testing.T) {
	q := New(4)
	gen := q.Generation()
	done := make(chan error, 1)
	go func() { _, err := q.Push(context.Background(), gen, seq(0, 10)); done <- err }()
	<-q.Data() // the first 4 are queued; Push waits for room
	assert.Equal(t, 4, q.Clear())
	require.ErrorIs(t, <-done, ErrCleared)
	assert.Equal(t, 0, q.Len())
	assert.NotEqual(t, gen, q.Generation())
	_, err := q.Push(context.Background(), gen, seq(0, 1))
	require.ErrorIs(t, err, ErrCleared, "old generation")
	n, err := q.Push(context.Background(), q.Generation(), seq(0, 1))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

func TestQueuePushContextAndClose(t *testing.T) {
	q := New(2)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	n, err := q.Push(ctx, 0, seq(0, 5))
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 2, n, "what fitted was queued")
	assert.Equal(t, 2, q.Len())

	done := make(chan error, 1)
	go func() { _, err := q.Push(context.Background(), 0, seq(0, 5)); done <- err }()
	q.Close()
	q.Close()
	require.ErrorIs(t, <-done, ErrClosed)
	assert.Equal(t, 0, q.TryPush(seq(0, 1)))
	assert.Equal(t, 2, q.Pull(make([]int16, 4)), "Pull drains after Close")
	<-q.Done()
}

func TestQueuePullTryPushAllocateNothing(t *testing.T) {
	q := New(64)
	src, dst := seq(0, 16), make([]int16, 16)
	allocs := testing.AllocsPerRun(100, func() {
		q.TryPush(src)
		q.Pull(dst)
	})
	assert.Zero(t, allocs)
}
