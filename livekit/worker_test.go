package livekit

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoHandler serves a room with the echo model, recording which rooms it
// served.
type echoHandler struct {
	t     testing.TB
	mu    sync.Mutex
	rooms []string
	errs  []string // the errors Run returned, with their rooms
	ended []string // the jobs that ended with an error (OnJobEnd), with their rooms
}

// jobEnded is the worker's OnJobEnd: it records the jobs that failed, in
// joining or in the handler, and why.
func (h *echoHandler) jobEnded(room string, err error) {
	if err == nil {
		return
	}
	h.mu.Lock()
	h.ended = append(h.ended, room+": "+err.Error())
	h.mu.Unlock()
}

// failures describes the jobs that failed, for test failure messages.
func (h *echoHandler) failures() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprintf("failed jobs %q (handler errors %q)", h.ended, h.errs)
}

func (h *echoHandler) serve(ctx context.Context, room *Room) error {
	h.mu.Lock()
	h.rooms = append(h.rooms, room.Name())
	h.mu.Unlock()
	err := room.Run(ctx, echoSession(h.t))
	if err != nil {
		h.mu.Lock()
		h.errs = append(h.errs, room.Name()+": "+err.Error())
		h.mu.Unlock()
	}
	return err
}

func (h *echoHandler) served() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.rooms...)
}

func startWorker(t testing.TB, cfg WorkerConfig, h Handler) (*Worker, <-chan error) {
	t.Helper()
	w := NewWorker(cfg, h)
	done := make(chan error, 1)
	go func() { done <- w.Run(context.Background()) }()
	select {
	case <-w.Registered():
	case err := <-done:
		t.Fatalf("worker did not register: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("worker did not register within 10 s")
	}
	return w, done
}

func agentName(t testing.TB) string {
	return strings.ToLower(strings.ReplaceAll(roomName(t), "/", "-"))
}

// TestWorkerServesDispatchedRoom: a worker registers, the caller's token
// dispatches the agent to a new room, the worker joins it and the caller
// talks with the echo model; when the caller leaves the job ends, and Drain
// makes Run return with nothing left running.
func TestWorkerServesDispatchedRoom(t *testing.T) {
	url := serverURL(t)
	name := agentName(t)
	h := &echoHandler{t: t}
	w, done := startWorker(t, WorkerConfig{URL: url, AgentName: name, MaxJobs: 2}, h.serve)
	defer func() {
		w.Drain()
		require.NoError(t, <-done)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	room := roomName(t)
	caller := joinCallerWith(t, url, room, "bob", name)
	defer caller.leave()
	require.NoError(t, waitCond(ctx, func() bool { return w.Load().Jobs == 1 }), "the worker takes the job")

	caller.say(t, readWAV(t, "hello.wav"))
	caller.say(t, silence(time.Second))
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 200 }), "the agent answers")
	assert.Equal(t, []string{room}, h.served())

	caller.leave()
	require.NoError(t, waitCond(ctx, func() bool { l := w.Load(); return l.Jobs == 0 && l.Served == 1 }), "the job ends when the caller leaves")
	assert.Zero(t, w.Load().Failed)
}

// waitCond polls cond every 10 ms until it holds or ctx is done: for
// state that lives in another process (the server) or changes without a
// notification.
func waitCond(ctx context.Context, cond func() bool) error {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// TestWorkersSpreadAndDrain: two workers serve the same agent; 20 rooms
// dispatched to it at once each get exactly one agent, spread over both
// workers.
// One worker drains mid-run: it takes no new room, the conversations it
// serves go on (a caller in one of its rooms still gets answers), and its
// Run returns once those rooms end.
func TestWorkersSpreadAndDrain(t *testing.T) {
	url := serverURL(t)
	name := agentName(t)
	const rooms, later = 20, 3
	// Either worker can take every room: the drained one's share, too.
	ha, hb := &echoHandler{t: t}, &echoHandler{t: t}
	wa, doneA := startWorker(t, WorkerConfig{URL: url, AgentName: name, MaxJobs: rooms + later, OnJobEnd: ha.jobEnded}, ha.serve)
	wb, doneB := startWorker(t, WorkerConfig{URL: url, AgentName: name, MaxJobs: rooms + later, OnJobEnd: hb.jobEnded}, hb.serve)
	fails := func() string { return "A: " + ha.failures() + "; B: " + hb.failures() }
	defer func() {
		wb.Drain()
		require.NoError(t, <-doneB)
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 180*time.Second)
	defer cancel()
	key, secret := Keys()
	rs := lksdk.NewRoomServiceClient(url, key, secret)
	ds := lksdk.NewAgentDispatchServiceClient(url, key, secret)
	var names []string
	dispatch := func(i int) {
		n := fmt.Sprintf("%s-%d", roomName(t), i)
		// No caller joins most rooms: they must outlive the test (which
		// deletes them), 180 s at most, or the server closes them and
		// ends their jobs mid-test.
		_, err := rs.CreateRoom(ctx, &livekit.CreateRoomRequest{Name: n, EmptyTimeout: 600})
		require.NoError(t, err)
		_, err = ds.CreateDispatch(ctx, &livekit.CreateAgentDispatchRequest{Room: n, AgentName: name})
		require.NoError(t, err)
		names = append(names, n)
	}
	for i := range rooms {
		dispatch(i)
	}
	defer func() {
		for _, n := range names {
			_, _ = rs.DeleteRoom(context.Background(), &livekit.DeleteRoomRequest{Room: n})
		}
	}()
	require.NoError(t, waitCond(ctx, func() bool { return wa.Load().Jobs+wb.Load().Jobs == rooms }),
		"every room gets an agent: A %+v, B %+v; %s", wa.Load(), wb.Load(), fails())
	require.Positive(t, wa.Load().Jobs, "worker A got jobs")
	require.Positive(t, wb.Load().Jobs, "worker B got jobs")
	for _, n := range names {
		agents := 0
		require.NoError(t, waitCond(ctx, func() bool {
			res, err := rs.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: n})
			if err != nil {
				return false
			}
			agents = 0
			for _, p := range res.Participants {
				if p.Kind == livekit.ParticipantInfo_AGENT {
					agents++
				}
			}
			return agents >= 1
		}), "room %s gets its agent (worker A %+v, B %+v; %s)", n, wa.Load(), wb.Load(), fails())
		assert.Equal(t, 1, agents, "room %s has exactly one agent", n)
	}

	require.NoError(t, waitCond(ctx, func() bool { return len(ha.served())+len(hb.served()) == rooms }), "every handler runs; %s", fails())
	t.Logf("rooms per worker: A %d, B %d", len(ha.served()), len(hb.served()))

	// Drain A mid-run: new rooms all go to B; A keeps its conversations.
	aRooms := ha.served()
	wa.Drain()
	require.NoError(t, waitCond(ctx, func() bool { return wa.Load().Draining }))
	before := wb.Load().Jobs
	for i := rooms; i < rooms+later; i++ {
		dispatch(i)
	}
	require.NoError(t, waitCond(ctx, func() bool { return wb.Load().Jobs == before+later }), "the drained worker's share goes to the other; %s", fails())
	assert.Len(t, ha.served(), len(aRooms), "a draining worker takes no new job")
	assert.Equal(t, len(aRooms), wa.Load().Jobs, "a draining worker keeps its conversations")

	caller := joinCaller(t, url, aRooms[0], "carol")
	defer caller.leave()
	caller.say(t, readWAV(t, "hello.wav"))
	caller.say(t, silence(time.Second))
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 200 }), "a conversation on the draining worker goes on; %s", fails())
	select {
	case err := <-doneA:
		t.Fatalf("the draining worker left with conversations in progress: %v", err)
	default:
	}
	caller.leave()
	t.Log("deleting the drained worker's rooms")
	for _, n := range aRooms {
		_, err := rs.DeleteRoom(ctx, &livekit.DeleteRoomRequest{Room: n})
		require.NoError(t, err)
	}
	select {
	case err := <-doneA:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatalf("the drained worker did not return after its rooms ended: A %+v; %s", wa.Load(), fails())
	}
	assert.Equal(t, int64(len(aRooms)), wa.Load().Served)
}
