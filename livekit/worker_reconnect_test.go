package livekit

import (
	"context"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWorkerReconnects: the LiveKit server crashes and comes back while a
// worker serves a conversation. The worker registers again (a new worker
// ID) and keeps running; the conversation in progress ends cleanly (its
// room is gone with the server: the Handler returns, the job counts as
// served, not failed, nothing leaks), and a room created on the restarted
// server is served by the same worker.
func TestWorkerReconnects(t *testing.T) {
	srv := startOwnServer(t, 7940)
	url := srv.url()
	name := agentName(t)
	h := &echoHandler{t: t}
	w, done := startWorker(t, WorkerConfig{URL: url, AgentName: name, MaxJobs: 4, ReconnectTimeout: 30 * time.Second}, h.serve)
	defer func() {
		w.Drain()
		require.NoError(t, <-done)
	}()
	firstID := w.ID()

	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	caller := joinCallerWith(t, url, roomName(t), "erin", name)
	defer caller.leave()
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Jobs == 1 }), "the worker takes the job")
	caller.say(t, readWAV(t, "hello.wav"))
	caller.say(t, silence(time.Second))
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 100 }), "the agent answers")

	// The server dies mid-conversation, the caller still in the room.
	srv.kill()
	srv.start()
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Reconnects == 1 }), "the worker registers again")
	assert.NotEqual(t, firstID, w.ID(), "the restarted server gave the worker a new ID")
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Served == 1 }), "the job on the lost server ends")
	t.Logf("after the restart: %+v", w.Load())
	caller.leave()
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Jobs == 0 }))
	t.Logf("after the caller left: %+v", w.Load())
	assert.Zero(t, w.Load().Failed, "it ends cleanly")
	select {
	case err := <-done:
		t.Fatalf("the worker stopped when the server restarted: %v", err)
	default:
	}

	// A new room on the restarted server: the same worker serves it.
	key, secret := Keys()
	ds := lksdk.NewAgentDispatchServiceClient(url, key, secret)
	second := roomName(t)
	c2 := joinCaller(t, url, second, "frank")
	defer c2.leave()
	_, err := ds.CreateDispatch(ctx, &livekit.CreateAgentDispatchRequest{Room: second, AgentName: name})
	require.NoError(t, err)
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Jobs == 1 }), "the reconnected worker takes a new job")
	c2.say(t, readWAV(t, "hello.wav"))
	c2.say(t, silence(time.Second))
	require.NoError(t, c2.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 100 }), "the agent answers in the new room")
	c2.leave()
	require.NoError(t, waitCond(ctx, func() bool { l := w.Load(); return l.Jobs == 0 && l.Served >= 2 }))
	assert.Zero(t, w.Load().Failed)
	assert.Contains(t, h.served(), second)
}

// TestWorkerGivesUp: when the server does not come back within
// ReconnectTimeout, Run returns an error saying so, and the secret it
// registered with is not in it.
func TestWorkerGivesUp(t *testing.T) {
	srv := startOwnServer(t, 7950)
	w, done := startWorker(t, WorkerConfig{URL: srv.url(), AgentName: agentName(t), ReconnectTimeout: time.Second}, func(context.Context, *Room) error { return nil })
	srv.kill()
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not back within 1s")
		assert.NotContains(t, err.Error(), DevAPISecret)
		assert.True(t, w.Load().Draining, "a worker that gave up takes no job")
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after the server stayed away")
	}
}
