package livekit

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	lkmedia "github.com/livekit/media-sdk"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/livekit/server-sdk-go/v2/pkg/media"
	"github.com/pion/webrtc/v4"
	"github.com/stretchr/testify/require"
)

// callerConnectTimeout bounds a test caller's join, as Config.ConnectTimeout
// bounds an agent's by default.
const callerConnectTimeout = 30 * time.Second

// serverURL returns the URL of the livekit-server the tests run against
// ($LIVEKIT_URL, default DefaultURL), skipping the test when none answers
// outside CI (.ci/start-livekit.sh starts one; CI always does).
func serverURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("LIVEKIT_URL")
	if u == "" {
		u = DefaultURL
	}
	httpURL := strings.Replace(strings.Replace(u, "wss://", "https://", 1), "ws://", "http://", 1)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, httpURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err == nil {
		resp.Body.Close()
		http.DefaultClient.CloseIdleConnections()
		return u
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no livekit-server answers at %s (.ci/start-livekit.sh starts one): %v", u, err)
	}
	t.Skipf("no livekit-server answers at %s: run .ci/start-livekit.sh (builds and starts livekit-server --dev): %v", u, err)
	return ""
}

var roomSeq atomic.Int64

// roomName returns a room name unique to this test run.
func roomName(t testing.TB) string {
	return fmt.Sprintf("%s-%d-%d", strings.ReplaceAll(t.Name(), "/", "-"), os.Getpid(), roomSeq.Add(1))
}

func token(t testing.TB, room, identity string, agents ...string) string {
	t.Helper()
	tok, err := NewToken(TokenConfig{Room: room, Identity: identity, Agents: agents})
	require.NoError(t, err)
	return tok
}

// A testCaller is a person in the room: a second SDK client that publishes
// PCM through the SDK's PCMLocalTrack and records the agent's audio,
// decoded by the SDK's PCMRemoteTrack at 16 kHz, with when it arrived.
type testCaller struct {
	room  *lksdk.Room
	track *media.PCMLocalTrack
	pub   *lksdk.LocalTrackPublication

	mu      sync.Mutex
	heard   []int16     // the agent's audio, 16 kHz
	loudAt  []time.Time // arrival of each 10 ms block louder than -40 dBFS
	remote  *media.PCMRemoteTrack
	texts   []textMsg
	changed chan struct{}
	subd    chan struct{} // closed when someone subscribes to the caller's track
	subdAt  time.Time     // when it was closed (written before)
	subOnce sync.Once
}

type textMsg struct {
	text  string
	attrs map[string]string
}

const callerRate = 16000

func joinCaller(t testing.TB, url, room, identity string) *testCaller {
	t.Helper()
	return joinCallerWith(t, url, room, identity)
}

// joinCallerWith joins with a token that dispatches agents to the room.
func joinCallerWith(t testing.TB, url, room, identity string, agents ...string) *testCaller {
	t.Helper()
	c := &testCaller{changed: make(chan struct{}, 1), subd: make(chan struct{})}
	cb := lksdk.NewRoomCallback()
	cb.OnLocalTrackSubscribed = func(*lksdk.LocalTrackPublication, *lksdk.LocalParticipant) {
		c.subOnce.Do(func() {
			c.subdAt = time.Now()
			close(c.subd)
		})
	}
	cb.OnTrackSubscribed = func(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, p *lksdk.RemoteParticipant) {
		if track.Kind() != webrtc.RTPCodecTypeAudio {
			return
		}
		rt, err := media.NewPCMRemoteTrack(track, recorder{c}, media.WithTargetSampleRate(callerRate), media.WithLogger(quietLogger()))
		if err == nil {
			c.mu.Lock()
			c.remote = rt
			c.mu.Unlock()
		}
	}
	c.room = lksdk.NewRoom(cb)
	c.room.SetLogger(quietLogger())
	require.NoError(t, c.room.RegisterTextStreamHandler(TranscriptionTopic, func(r *lksdk.TextStreamReader, _ string) {
		text := r.ReadAll()
		c.mu.Lock()
		c.texts = append(c.texts, textMsg{text, r.Info.Attributes})
		c.mu.Unlock()
		c.notify()
	}))
	// The agents' bound (Config.ConnectTimeout), not the SDK's 5 s: with
	// 20 rooms joining under -race on 2 loaded cores, a caller's
	// subscriber transport took over 5 s to connect (TestWorkerProcesses).
	ctx, cancel := context.WithTimeout(context.Background(), callerConnectTimeout)
	defer cancel()
	require.NoError(t, c.room.JoinWithContextAndToken(ctx, url, token(t, room, identity, agents...),
		lksdk.WithLogger(quietLogger()), lksdk.WithConnectTimeout(callerConnectTimeout)))
	tr, err := media.NewPCMLocalTrack(callerRate, 1, quietLogger())
	require.NoError(t, err)
	c.track = tr
	c.pub, err = c.room.LocalParticipant.PublishTrack(tr, &lksdk.TrackPublicationOptions{Name: "mic", Source: 2 /* MICROPHONE */})
	require.NoError(t, err)
	return c
}

// trackSID returns the SID of the caller's microphone track.
func (c *testCaller) trackSID() string { return c.pub.SID() }

func (c *testCaller) notify() {
	select {
	case c.changed <- struct{}{}:
	default:
	}
}

type recorder struct{ c *testCaller }

func (w recorder) WriteSample(s lkmedia.PCM16Sample) error {
	now := time.Now()
	w.c.mu.Lock()
	w.c.heard = append(w.c.heard, s...)
	for i := 0; i+160 <= len(s); i += 160 {
		if pcm.DBFS(s[i:i+160]) > -40 {
			w.c.loudAt = append(w.c.loudAt, now)
		}
	}
	w.c.mu.Unlock()
	w.c.notify()
	return nil
}

func (w recorder) Close() error { return nil }

// say publishes speech (16 kHz samples) once the agent listens; the track
// plays it in real time.
func (c *testCaller) say(t testing.TB, samples []int16) {
	t.Helper()
	select {
	case <-c.subd:
	case <-time.After(20 * time.Second):
		t.Fatal("no one subscribed to the caller's track within 20 s")
	}
	for len(samples) > 0 {
		n := min(len(samples), 320)
		require.NoError(t, c.track.WriteSample(samples[:n]))
		samples = samples[n:]
	}
}

// waitFor waits until cond holds (checked under the caller's lock after
// every change) or ctx is done.
func (c *testCaller) waitFor(ctx context.Context, cond func(c *testCaller) bool) error {
	for {
		c.mu.Lock()
		ok := cond(c)
		c.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-c.changed:
		}
	}
}

// loudSince returns the number of loud 10 ms blocks heard after t0.
func (c *testCaller) loudSince(t0 time.Time) int {
	n := 0
	for _, at := range c.loudAt {
		if at.After(t0) {
			n++
		}
	}
	return n
}

func (c *testCaller) leave() {
	c.track.Close()
	c.room.Disconnect()
	c.mu.Lock()
	rt := c.remote
	c.mu.Unlock()
	if rt != nil {
		rt.Close()
	}
}

func readWAV(t testing.TB, name string) []int16 {
	t.Helper()
	f, err := os.Open("../testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	s, err := w.Mono()
	require.NoError(t, err)
	require.Equal(t, callerRate, w.SampleRate)
	return s
}

func silence(d time.Duration) []int16 { return make([]int16, int(d.Seconds()*callerRate)) }
