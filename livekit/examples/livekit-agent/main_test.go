package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/livekit"
	lkmedia "github.com/livekit/media-sdk"
	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/livekit/server-sdk-go/v2/pkg/media"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

var quiet protologger.Logger

func TestMain(m *testing.M) {
	// The test's caller logs nothing. A zap logger, not the discard one:
	// pion formats every debug message for a logger that is not zap, and
	// one of them races with pion itself (see livekit's quietLogger).
	l, err := protologger.NewZapLogger(&protologger.Config{Level: "fatal"})
	if err != nil {
		panic(err)
	}
	quiet = l
	lksdk.SetLogger(quiet)
	goleak.VerifyTestMain(m,
		goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).readLoop"),
		goleak.IgnoreAnyFunction("net/http.(*persistConn).writeLoop"))
}

var runs atomic.Int64

// A syncBuffer is the program's stderr: written by its goroutines, read
// by the test.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor waits until the buffer contains sub or ctx is done.
func (s *syncBuffer) waitFor(ctx context.Context, sub string) error {
	for !strings.Contains(s.String(), sub) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; stderr so far:\n%s", ctx.Err(), s.String())
		case <-s.changed:
		}
	}
	return nil
}

// loudCounter counts the loud 10 ms blocks of the agent's audio.
type loudCounter struct {
	mu      sync.Mutex
	n       int
	changed chan struct{}
}

func (l *loudCounter) WriteSample(s lkmedia.PCM16Sample) error {
	l.mu.Lock()
	for i := 0; i+160 <= len(s); i += 160 {
		if pcm.DBFS(s[i:i+160]) > -40 {
			l.n++
		}
	}
	l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return nil
}
func (l *loudCounter) Close() error { return nil }

func (l *loudCounter) waitLoud(ctx context.Context, n int) error {
	for {
		l.mu.Lock()
		ok := l.n >= n
		l.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-l.changed:
		}
	}
}

// TestAgentProgram runs the program offline, with each backend's echo
// model, against livekit-server: a
// caller's token dispatches the agent, the caller talks and hears the echo;
// SIGTERM drains the worker, which waits for the conversation, and the
// program exits cleanly once the caller leaves.
func TestAgentProgram(t *testing.T) {
	for _, backend := range []string{"gemini", "openai"} {
		t.Run(backend, func(t *testing.T) { testAgentProgram(t, backend) })
	}
}

func testAgentProgram(t *testing.T, backend string) {
	url := os.Getenv("LIVEKIT_URL")
	if url == "" {
		url = livekit.DefaultURL
	}
	if _, err := lksdk.NewRoomServiceClient(url, livekit.DevAPIKey, livekit.DevAPISecret).ListRooms(context.Background(), nil); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no livekit-server at %s (.ci/start-livekit.sh): %v", url, err)
		}
		t.Skipf("no livekit-server at %s: run .ci/start-livekit.sh: %v", url, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	// A room and agent name of their own for each run (-count): the
	// caller's token dispatches the agent only when it creates the room.
	agent := fmt.Sprintf("agent-program-%d-%d", os.Getpid(), runs.Add(1))
	room := agent + "-room"
	var stdout bytes.Buffer
	stderr := &syncBuffer{changed: make(chan struct{}, 1)}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, options{backend: backend, url: url, agentName: agent, maxJobs: 2, offline: true, listen: "first"}, &stdout, stderr)
	}()

	var tok bytes.Buffer
	require.NoError(t, run(ctx, options{agentName: agent, callerToken: room}, &tok, stderr))
	// The caller's token dispatches the agent when the room is created:
	// join once the worker is there to take the job.
	require.NoError(t, stderr.waitFor(ctx, "Registered as worker"), "the worker registers")
	heard := &loudCounter{changed: make(chan struct{}, 1)}
	subscribed := make(chan struct{})
	var once sync.Once
	cb := lksdk.NewRoomCallback()
	var remote *media.PCMRemoteTrack
	var rmu sync.Mutex
	cb.OnTrackSubscribed = func(tr *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, _ *lksdk.RemoteParticipant) {
		rt, err := media.NewPCMRemoteTrack(tr, heard, media.WithTargetSampleRate(16000))
		if err == nil {
			rmu.Lock()
			remote = rt
			rmu.Unlock()
		}
	}
	cb.OnLocalTrackSubscribed = func(*lksdk.LocalTrackPublication, *lksdk.LocalParticipant) { once.Do(func() { close(subscribed) }) }
	caller := lksdk.NewRoom(cb)
	// The worker registers asynchronously: the dispatch waits for it.
	// 30 s like an agent's join, not the SDK's 5 s: a loaded machine can need more.
	require.NoError(t, caller.JoinWithContextAndToken(ctx, url, string(bytes.TrimSpace(tok.Bytes())), lksdk.WithConnectTimeout(30*time.Second)))
	mic, err := media.NewPCMLocalTrack(16000, 1, quiet)
	require.NoError(t, err)
	_, err = caller.LocalParticipant.PublishTrack(mic, &lksdk.TrackPublicationOptions{Name: "mic"})
	require.NoError(t, err)
	leave := func() {
		mic.Close()
		caller.Disconnect()
		rmu.Lock()
		if remote != nil {
			remote.Close()
		}
		rmu.Unlock()
	}
	defer leave()
	select {
	case <-subscribed:
	case <-ctx.Done():
		t.Fatal("the agent never subscribed to the caller")
	}
	f, err := os.Open("../../../testdata/hello.wav")
	require.NoError(t, err)
	w, err := pcm.ReadWAV(f)
	f.Close()
	require.NoError(t, err)
	speech, err := w.Mono()
	require.NoError(t, err)
	require.NoError(t, mic.WriteSample(append(speech, make([]int16, 16000)...)))
	require.NoError(t, heard.waitLoud(ctx, 150), "the caller hears the echo")

	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	// Draining: the conversation in progress goes on.
	require.NoError(t, mic.WriteSample(append(speech, make([]int16, 16000)...)))
	require.NoError(t, heard.waitLoud(ctx, 300), "the caller still gets answers while the worker drains")
	select {
	case err := <-done:
		t.Fatalf("the program exited with a conversation in progress: %v", err)
	default:
	}
	leave()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatalf("the program did not exit after the drain; stderr:\n%s", stderr.String())
	}
	require.Contains(t, stderr.String(), fmt.Sprintf("joined room %q", room))
}
