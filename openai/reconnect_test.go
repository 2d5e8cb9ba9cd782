package openai_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// untilReconnect receives up to and including EventReconnect.
func untilReconnect(t *testing.T, st fd.DuplexStream) ([]fd.StreamItem, openai.ReconnectInfo) {
	t.Helper()
	ctx := testCtx(t)
	var items []fd.StreamItem
	for {
		it, err := st.Receive(ctx)
		require.NoError(t, err, "so far: %v", items)
		items = append(items, it)
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventReconnect {
			return items, ev.Data.(openai.ReconnectInfo)
		}
	}
}

// reseeded returns the texts of the items a connection was given before
// its first response.create.
func reseeded(t *testing.T, c *openaitest.Conn) []string {
	t.Helper()
	var texts []string
	for _, e := range c.Events() {
		if e.Type == "response.create" {
			break
		}
		if txt, ok := e.Text(); ok {
			texts = append(texts, txt)
		}
	}
	return texts
}

// At the session cap the stream moves, at a quiet moment, to a new session
// given the instructions and the conversation so far, and says so.
func TestReconnectAtSessionCap(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, first := open(t, srv, openai.Config{Instructions: "be nice", SessionCap: 300 * time.Millisecond})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("hello")))
	assert.Equal(t, "echo: hello", modelText(untilTerminator(t, st)))
	_, info := untilReconnect(t, st)
	assert.Equal(t, "session cap", info.Reason)
	second, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, info.Session.ID, second.Session()["id"])
	assert.NotEqual(t, first.Session()["id"], info.Session.ID)
	assert.Equal(t, "be nice", second.Session()["instructions"])

	require.NoError(t, st.Send(ctx, fd.TextSymbol("again")))
	items := untilTerminator(t, st)
	assert.Equal(t, "echo: again", modelText(items))
	assert.Equal(t, fd.TurnEnd{Turn: 2}, items[len(items)-1].(fd.StreamEvent).Data, "turns go on counting")
	assert.Equal(t, []string{"hello", "echo: hello", "again"}, append(reseeded(t, second), "again")[:3])
	assert.Empty(t, events(items, fd.EventError))
}

// The session cap waits for the answer in progress.
func TestSessionCapWaitsForTheAnswer(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Text: []string{"a", "b", "c", "d", "e"}, Pace: 60 * time.Millisecond})
	st, _ := open(t, srv, openai.Config{SessionCap: 50 * time.Millisecond})
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q")))
	items, _ := untilReconnect(t, st)
	assert.Equal(t, "abcde", modelText(items))
	assert.Len(t, events(items, fd.EventStreamEnd), 1, "the answer finished before the move")
	assert.Empty(t, events(items, fd.EventInterrupt))
}

// The service drops the connection: the stream reconnects, and what the
// application sent meanwhile reaches the new session.
func TestReconnectAfterUnexpectedClose(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, first := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("one")))
	untilTerminator(t, st)
	_, err := first.WaitFor(ctx, openaitest.IsType("response.create"))
	require.NoError(t, err)
	first.Drop()
	require.NoError(t, st.Send(ctx, fd.TextSymbol("two"))) // queued while reconnecting (or sent on the new session)
	items, info := untilReconnect(t, st)
	assert.NotEqual(t, "session cap", info.Reason)
	assert.Empty(t, events(items, fd.EventInterrupt), "no answer was under way")
	items = untilTerminator(t, st)
	assert.Equal(t, "echo: two", modelText(items))
	second, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "echo: one"}, reseeded(t, second)[:2])
}

// A close frame mid-answer: the answer in progress ends with EventInterrupt
// (Reason "reconnect") before EventReconnect.
func TestCloseMidAnswer(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	srv.Script(openaitest.Reply{Text: []string{"part", " rest"}, Hang: true})
	st, first := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	it, err := st.Receive(ctx)
	require.NoError(t, err)
	require.Equal(t, "part", modelText([]fd.StreamItem{it}))
	require.NoError(t, first.CloseWith(1011, "session expired"))
	items, info := untilReconnect(t, st)
	assert.Contains(t, info.Reason, "1011")
	ints := events(items, fd.EventInterrupt)
	require.Len(t, ints, 1)
	assert.Equal(t, fd.TurnEnd{Turn: 1, Reason: "reconnect"}, ints[0].Data)
	// The cut answer's received part is in the new session's conversation.
	second, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("next")))
	assert.Equal(t, "echo: next", modelText(untilTerminator(t, st)))
	assert.Equal(t, []string{"q", "part"}, reseeded(t, second)[:2])
}

// With reconnects off, a dropped connection ends the stream with an error.
func TestNoReconnect(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	st, first := open(t, srv, openai.Config{MaxReconnects: -1})
	first.Drop()
	_, err := st.Receive(testCtx(t))
	require.Error(t, err)
	assert.False(t, errors.Is(err, fd.ErrClosed))
	assert.False(t, st.Connected())
}

// Reconnects that all fail end the stream with ErrReconnectFailed.
func TestReconnectFails(t *testing.T) {
	srv := openaitest.NewServer(openaitest.Options{})
	cfg := openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey(), MaxReconnects: 2, ReconnectBackoff: time.Millisecond}
	st := openai.NewStream(cfg)
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, st.Connect(ctx))
	srv.Close()
	var err error
	for err == nil {
		_, err = st.Receive(ctx)
	}
	assert.ErrorIs(t, err, openai.ErrReconnectFailed)
}
