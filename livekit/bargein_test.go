package livekit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// firstGap returns the start of the first run of at least gap without a
// loud block after t0 in loud (arrival times, ascending), and whether the
// audio resumed after it.
func firstGap(loud []time.Time, t0 time.Time, gap time.Duration) (time.Time, bool) {
	last := t0
	for _, at := range loud {
		if !at.After(t0) {
			continue
		}
		if at.Sub(last) >= gap {
			return last, true
		}
		last = at
	}
	return last, false
}

// TestBargeIn: the caller talks over the agent's answer; the agent's track
// goes silent well before the answer's end (its queue flushed), and the
// turn's played position stops where the caller cut it.
func TestBargeIn(t *testing.T) {
	url := serverURL(t)
	name := roomName(t)
	agent := joinAgent(t, url, name, Config{})
	defer agent.Close()
	caller := joinCaller(t, url, name, "dave")
	defer caller.leave()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- agent.Run(ctx, echoSession(t)) }()

	hello := readWAV(t, "hello.wav")
	answer := time.Duration(len(hello)) * time.Second / callerRate
	caller.say(t, hello)
	caller.say(t, silence(time.Second))
	// The answer has played for 300 ms: talk over it.
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 30 }))
	caller.mu.Lock()
	answerStart := caller.loudAt[0]
	caller.mu.Unlock()
	t0 := time.Now()
	caller.say(t, readWAV(t, "interrupt.wav"))

	// The agent's track falls silent: a gap of 500 ms in what the caller
	// hears, starting before the answer would have ended.
	var gapAt time.Time
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool {
		var ok bool
		gapAt, ok = firstGap(c.loudAt, t0, 500*time.Millisecond)
		return ok || time.Since(t0) > answer
	}))
	cut := gapAt.Sub(t0)
	t.Logf("barge-in to silence at the caller: %v (answer %v long, started %v before the barge-in)", cut, answer, t0.Sub(answerStart))
	assert.Less(t, gapAt.Sub(answerStart), answer-500*time.Millisecond, "the answer was cut before its end")
	assert.Less(t, agent.Played(0), answer-500*time.Millisecond, "turn 0's played position stops at the cut")
	assert.Greater(t, agent.Played(0), 250*time.Millisecond, "what was played before the cut counts")

	caller.leave()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Run did not end after the caller left")
	}
}
