package gemini_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// The stalled connection's buffers: the server's receive buffer
// (SO_RCVBUF) and the client's send buffer (SO_SNDBUF, which also stops the
// kernel from growing it to megabytes). The kernel doubles both, and a
// send may overrun its buffer by one segment (64 KB on loopback): all the
// buffers of a stalled connection hold well under bigSize.
const (
	stallReceiveBuffer = 8 << 10
	stallSendBuffer    = 16 << 10
	bigSize            = 1 << 20
)

// bigResult is a tool result of bigSize: one sent to a peer that stopped
// reading blocks in its write, for certain, on a stalled connection.
func bigResult(id string) fullduplex.ToolResult {
	return fullduplex.ToolResult{ID: id, Name: "f", Output: strings.Repeat("x", bigSize)}
}

// isResult returns a predicate for the tool response to call id.
func isResult(id string) func(geminitest.ClientMessage) bool {
	return func(m geminitest.ClientMessage) bool {
		return m.ToolResponse != nil && len(m.ToolResponse.FunctionResponses) > 0 && m.ToolResponse.FunctionResponses[0].ID == id
	}
}

// stalled starts a stream on a server with a small receive buffer, gives
// the stream's connection a small send buffer, and makes the server stop
// reading it after the next message.
func stalled(t *testing.T, cfg gemini.Config) (*geminitest.Server, *gemini.Stream, *geminitest.Conn) {
	srv, st, c0 := start(t, geminitest.Options{ReceiveBuffer: stallReceiveBuffer}, cfg)
	eventOf(t, recv(t, st), fullduplex.EventMetadata) // the handle sent after setup: the stream can resume
	require.NoError(t, gemini.SetSendBuffer(st, stallSendBuffer))
	c0.StopReadingAfter(1)
	return srv, st, c0
}

// A GoAway switches to a new connection although a send is stuck in a
// write to the old one (the peer stopped reading): the write is abandoned,
// its message goes out on the new connection, and the stream goes on.
func TestGoAwaySwitchIsNotHeldByAStalledWrite(t *testing.T) {
	srv, st, c0 := stalled(t, gemini.Config{})
	ctx := waitCtx(t)
	sent := make(chan error, 1)
	go func() {
		var err error
		for _, id := range []string{"a", "b", "c"} {
			if err = st.SendToolResult(ctx, bigResult(id)); err != nil {
				break
			}
		}
		sent <- err
	}()
	// The server reads "a", then the first frame of "b" and no more: the
	// write of "b" is under way, and blocks.
	_, err := c0.WaitFor(ctx, isResult("a"))
	require.NoError(t, err)
	require.NoError(t, c0.WaitStalled(ctx))
	goAway := time.Now()
	require.NoError(t, c0.SendGoAway(30*time.Second))

	// Without the fix the switch waits for the stuck write, that is
	// forever: the server never reads again.
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err, "the switch waited for the stalled write")
	t.Logf("new connection's setup %v after the GoAway", c1.Messages()[0].Received.Sub(goAway))
	info := untilReconnect(t, st)
	assert.Equal(t, "goaway", info.Reason)
	require.NoError(t, <-sent, "the stuck send was moved to the new connection, not failed")
	// "a" reached the old connection after its last resumable handle, which
	// the new one resumes from: it is owed again, then the abandoned "b"
	// and the "c" that waited behind it.
	got, err := c1.WaitCount(ctx, geminitest.IsToolResponse, 3)
	require.NoError(t, err, "the abandoned write and the one after it went out on the new connection")
	var ids []string
	for _, m := range got {
		ids = append(ids, m.ToolResponse.FunctionResponses[0].ID)
	}
	assert.Equal(t, []string{"a", "b", "c"}, ids, "in order")
}

// ctx bounds a send stuck in a write: it returns ctx's error, the stalled
// connection is replaced, and the stream goes on.
func TestStalledSendHonoursItsContext(t *testing.T) {
	srv, st, c0 := stalled(t, gemini.Config{})
	ctx := waitCtx(t)
	// The server reads this one, then no more.
	require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "p", Name: "f", Output: "ok"}))
	_, err := c0.WaitFor(ctx, isResult("p"))
	require.NoError(t, err)
	send, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- st.SendToolResult(send, bigResult("b")) }()
	// The write of "b" is under way and cannot finish: ending its ctx is
	// what must end it.
	require.NoError(t, c0.WaitStalled(ctx))
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-ctx.Done():
		t.Fatal("Send stuck in a write ignored its ctx")
	}
	assert.True(t, st.Connected(), "cancelling one call never kills the stream")
	untilReconnect(t, st)
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("after the stall")))
	_, err = c1.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
}

// A tool result answered just as the connection drops is not lost: a
// write the kernel accepted on a dead socket "succeeds", so the stream
// keeps each result until a resumable handle shows the service moved on,
// and sends the ones it still owes on the resumed connection. Looped: the
// old code lost the result in about half the runs.
func TestToolResultAnsweredAtADropIsNotLost(t *testing.T) {
	const runs = 20
	lost := 0
	for range runs {
		srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{ReconnectBackoff: time.Millisecond})
		ctx := waitCtx(t)
		eventOf(t, recv(t, st), fullduplex.EventMetadata) // the handle sent after setup
		require.NoError(t, c0.SendToolCall(&genai.FunctionCall{ID: "call-1", Name: "f"}))
		call := eventOf(t, next(t, st), fullduplex.EventToolCall).Data.(fullduplex.ToolCall)
		c0.Drop() // the result is sent microseconds after the drop
		require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: call.ID, Name: call.Name, Output: "ok"}))
		c1, err := srv.WaitConn(ctx, 1)
		require.NoError(t, err)
		soon, cancel := context.WithTimeout(ctx, 3*time.Second)
		_, err = c1.WaitFor(soon, geminitest.IsToolResponse)
		cancel()
		if err != nil {
			lost++
		}
		require.NoError(t, st.Close())
		srv.Close()
	}
	assert.Zero(t, lost, "tool results lost in %d of %d runs", lost, runs)
}

// A result the service evidently took (a resumable handle came after it)
// is not sent again after a reconnect.
func TestAcknowledgedToolResultIsNotResent(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	eventOf(t, recv(t, st), fullduplex.EventMetadata)
	require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "call-1", Name: "f", Output: "ok"}))
	_, err := c0.WaitFor(ctx, geminitest.IsToolResponse)
	require.NoError(t, err)
	require.NoError(t, c0.SendResumptionUpdate(srv.NewHandle(), true))
	eventOf(t, recv(t, st), fullduplex.EventMetadata)
	c0.Drop()
	untilReconnect(t, st)
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("barrier")))
	_, err = c1.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	for _, m := range c1.Messages() {
		assert.False(t, geminitest.IsToolResponse(m), "the acknowledged result was sent again")
	}
}
