package openai_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

func TestCallsBeforeConnectAndAfterClose(t *testing.T) {
	st := openai.NewStream(openai.Config{APIKey: "k"})
	ctx := testCtx(t)
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, fd.ErrNotConnected)
	assert.ErrorIs(t, st.Send(ctx, fd.TextSymbol("x")), fd.ErrNotConnected)
	assert.False(t, st.Connected())
	require.NoError(t, st.Close())
	require.NoError(t, st.Close())
	assert.ErrorIs(t, st.Connect(ctx), fd.ErrClosed)
	_, err = st.Receive(ctx)
	assert.ErrorIs(t, err, fd.ErrClosed)
}

func TestConfigRefusedBeforeDialing(t *testing.T) {
	t.Setenv("OPENAI_API_KEY", "")
	for _, cfg := range []openai.Config{
		{},
		{APIKey: "k", InputFormat: "audio/opus"},
		{APIKey: "k", TurnDetection: openai.TurnDetection{Type: "magic"}},
		{APIKey: "k", TurnDetection: openai.TurnDetection{Type: openai.SemanticVAD, Threshold: 0.4}},
		{APIKey: "k", TurnDetection: openai.TurnDetection{Type: openai.NoDetection, SilenceDuration: time.Second}},
		{APIKey: "k", TextOnly: true, Voice: "marin"},
		{APIKey: "k", BaseURL: "127.0.0.1:9"},
		{APIKey: "k", Model: "m?x=1"},
		{APIKey: "k", Instructions: "a", Session: map[string]any{"instructions": "b"}},
	} {
		err := openai.NewStream(cfg).Connect(testCtx(t))
		assert.ErrorIs(t, err, openai.ErrInvalidConfig, "%+v", cfg)
	}
}

// Config.Session reaches the service merged into the session; a setting
// the service refuses fails Connect with its error.
func TestSessionPassThrough(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	_, conn := open(t, srv, openai.Config{Session: map[string]any{
		"tool_choice": "none",
		"audio":       map[string]any{"input": map[string]any{"noise_reduction": map[string]any{"type": "near_field"}}},
	}})
	assert.Equal(t, "none", conn.Session()["tool_choice"])

	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey(), Session: map[string]any{"temperature": 0.7}})
	defer st.Close()
	err := st.Connect(testCtx(t))
	var se *openai.ServerError
	require.True(t, errors.As(err, &se), "%v", err)
	assert.Equal(t, "unknown_parameter", se.Code)
}

// A refused key fails Connect with the service's status; the key appears
// nowhere in the error or its chain.
func TestWrongKeyIsNeverShown(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	const key = "sk-proj-SECRET-0123456789"
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: key})
	defer st.Close()
	err := st.Connect(testCtx(t))
	var he *openai.HTTPError
	require.True(t, errors.As(err, &he), "%v", err)
	assert.Equal(t, 401, he.Status)
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), key)
		assert.NotContains(t, fmt.Sprintf("%+v", e), key)
	}
	_, err = openai.CreateClientSecret(testCtx(t), openai.Config{BaseURL: srv.URL(), APIKey: key}, time.Minute)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), key)
}

// An ephemeral key made with the real key opens a session.
func TestClientSecret(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	sec, err := openai.CreateClientSecret(testCtx(t), openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey(), Instructions: "hi"}, 5*time.Minute)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(sec.Value, "ek_"), sec.Value)
	assert.WithinDuration(t, time.Now().Add(5*time.Minute), sec.ExpiresAt, 5*time.Second)
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: sec.Value})
	defer st.Close()
	require.NoError(t, st.Connect(testCtx(t)))
}

// A server that accepts the websocket but never says session.created:
// Connect gives up with its ctx; Close stays prompt.
func TestHungHandshake(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.HangHandshake(true)
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := st.Connect(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	start := time.Now()
	require.NoError(t, st.Close())
	assert.Less(t, time.Since(start), time.Second)
}

// A server that hangs mid-session: Close unblocks Receive and returns
// within one second.
func TestCloseOnHungServer(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{})
	conn.Hang()
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("anyone?")))
	errc := make(chan error, 1)
	go func() {
		_, err := st.Receive(context.Background())
		errc <- err
	}()
	start := time.Now()
	require.NoError(t, st.Close())
	assert.Less(t, time.Since(start), time.Second)
	assert.ErrorIs(t, <-errc, fd.ErrClosed)
}

// Cancelling one call's ctx abandons that call only.
func TestCancelledReceiveKeepsTheStream(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, _ := open(t, srv, openai.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, st.Send(ctx, fd.TextSymbol("x")), context.Canceled)
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("again")))
	assert.Equal(t, "echo: again", modelText(untilTerminator(t, st)))
	assert.True(t, st.Connected())
}

// CloseSend with nothing owed ends the stream at once; twice is harmless.
func TestCloseSendWithNothingOwed(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	st, _ := open(t, srv, openai.Config{})
	require.NoError(t, st.CloseSend(testCtx(t)))
	require.NoError(t, st.CloseSend(testCtx(t)))
	drain(t, st)
	assert.False(t, st.Connected())
}

// An answer CloseSend waits for that never starts is given up after
// CloseSendWait.
func TestCloseSendWaitBound(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	st, conn := open(t, srv, openai.Config{CloseSendWait: 100 * time.Millisecond})
	conn.Hang()
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q")))
	require.NoError(t, st.CloseSend(testCtx(t)))
	drain(t, st)
}
