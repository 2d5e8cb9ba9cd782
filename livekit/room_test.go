package livekit

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// echoSession returns a session over Gemini Live played by the local echo
// model (it answers each spoken turn with the same audio).
func echoSession(t testing.TB) *fullduplex.DuplexSession {
	t.Helper()
	srv := geminitest.NewServer(geminitest.Options{Echo: true})
	t.Cleanup(srv.Close)
	stream := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	t.Cleanup(func() { stream.Close() })
	return fullduplex.NewDuplexSession(stream)
}

func joinAgent(t testing.TB, url, room string, cfg Config) *Room {
	t.Helper()
	cfg.URL, cfg.Token = url, token(t, room, "agent")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := Join(ctx, cfg)
	require.NoError(t, err)
	return r
}

// TestEchoConversation: a caller speaks in a room; the agent hears it, the
// echo model answers, the caller hears the answer (and its captions); when
// the caller leaves, the agent's Run ends cleanly.
func TestEchoConversation(t *testing.T) {
	url := serverURL(t)
	name := roomName(t)
	agent := joinAgent(t, url, name, Config{})
	defer agent.Close()
	caller := joinCaller(t, url, name, "alice")
	defer caller.leave()

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	session := echoSession(t)
	done := make(chan error, 1)
	go func() { done <- agent.Run(ctx, session) }()

	hello := readWAV(t, "hello.wav")
	caller.say(t, hello)
	caller.say(t, silence(time.Second)) // the echo model's end of turn

	// The answer is the question played back: at least 2 s of loud audio.
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 200 }))
	// Captions of both sides: what the caller said, on the caller's
	// track, and the model's answer, on the agent's.
	caption := func(c *testCaller, segment string) (textMsg, bool) {
		for _, m := range c.texts {
			if m.attrs[AttrSegmentID] == segment {
				return m, true
			}
		}
		return textMsg{}, false
	}
	var user, model textMsg
	require.NoError(t, caller.waitFor(ctx, func(c *testCaller) bool {
		var okU, okM bool
		user, okU = caption(c, "user-0")
		model, okM = caption(c, "model-0")
		return okU && okM
	}), "captions")
	assert.Equal(t, agent.pub.SID(), model.attrs[AttrTranscribedTrack])
	assert.Contains(t, model.text, "echo:")
	assert.Equal(t, "true", model.attrs[AttrFinal])
	assert.Equal(t, caller.trackSID(), user.attrs[AttrTranscribedTrack])
	assert.Contains(t, user.text, "ms of audio")

	caller.leave()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-ctx.Done():
		t.Fatal("Run did not end after the caller left")
	}
}
