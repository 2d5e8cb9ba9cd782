package gemini_test

import (
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

// untilReconnect receives until EventReconnect and returns its info,
// failing on any symbol or other event type than metadata.
func untilReconnect(t *testing.T, st *gemini.Stream) gemini.ReconnectInfo {
	t.Helper()
	for {
		it := recv(t, st)
		ev, ok := it.(fullduplex.StreamEvent)
		require.True(t, ok, "unexpected %v", it)
		if ev.Type == fullduplex.EventReconnect {
			return ev.Data.(gemini.ReconnectInfo)
		}
		require.Equal(t, fullduplex.EventMetadata, ev.Type)
	}
}

func TestGoAwayResumesWithSendsInFlight(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	srv.RequireResumeHandle(true)
	handle := c0.Setup().SessionResumption // the server's first update follows setupComplete
	require.NotNil(t, handle)

	srv.HangSetup(true) // hold the new connection's setup: the stream is mid-switch
	require.NoError(t, c0.SendGoAway(30*time.Second))
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NotNil(t, c1.Setup().SessionResumption)
	assert.Equal(t, "geminitest-handle-1", c1.Setup().SessionResumption.Handle)

	// Sends during the switch are buffered, then delivered in order.
	for range 3 {
		require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	}
	require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "call-1", Name: "f", Output: "ok"}))
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("still there?")))
	srv.HangSetup(false)

	info := untilReconnect(t, st)
	assert.Equal(t, "goaway", info.Reason)
	assert.True(t, info.Resumed)
	assert.Zero(t, info.DroppedAudio)
	assert.True(t, st.Connected())

	ms, err := c1.WaitCount(ctx, func(m geminitest.ClientMessage) bool { return m.Setup == nil }, 5)
	require.NoError(t, err)
	for i := range 3 {
		assert.True(t, geminitest.IsAudio(ms[i]))
	}
	assert.True(t, geminitest.IsToolResponse(ms[3]), "no tool response lost")
	assert.True(t, geminitest.IsClientContent(ms[4]))
	for _, m := range c0.Messages() {
		assert.False(t, geminitest.IsAudio(m) || geminitest.IsToolResponse(m), "nothing went to the old connection")
	}

	// One unbroken stream: the new connection's output arrives.
	require.NoError(t, c1.SendText("resumed"))
	txt, _ := symbol(t, next(t, st)).TextValue()
	assert.Equal(t, "resumed", txt)
}

func TestGoAwayWaitsForResumableHandle(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	ctx := waitCtx(t)
	require.NoError(t, c0.SendResumptionUpdate("", false)) // the model is generating
	require.NoError(t, c0.SendGoAway(time.Minute))
	require.NoError(t, c0.SendText("the rest of the turn"))
	require.NoError(t, c0.SendResumptionUpdate("fresh", true))
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, "fresh", c1.Setup().SessionResumption.Handle)

	var got []string
	for {
		it := recv(t, st)
		if s, ok := it.(fullduplex.Symbol); ok {
			txt, _ := s.TextValue()
			got = append(got, txt)
		}
		if ev, ok := it.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventReconnect {
			break
		}
	}
	assert.Equal(t, []string{"the rest of the turn"}, got, "the old connection's output comes first")
}

func TestGoAwayDeadlineWithoutHandle(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	require.NoError(t, c0.SendGoAway(20*time.Millisecond))
	info := untilReconnect(t, st)
	assert.False(t, info.Resumed, "no handle had arrived")
	c1, err := srv.WaitConn(waitCtx(t), 1)
	require.NoError(t, err)
	assert.Empty(t, c1.Setup().SessionResumption.Handle)
}

func TestUnexpectedCloseReconnects(t *testing.T) {
	for _, drop := range []struct {
		name string
		do   func(*geminitest.Conn) error
	}{
		{"dropped", func(c *geminitest.Conn) error { c.Drop(); return nil }},
		{"close 1011", func(c *geminitest.Conn) error { return c.CloseWith(1011, "Internal error encountered.") }},
		{"close 1001", func(c *geminitest.Conn) error { return c.CloseWith(1001, "going away") }},
	} {
		t.Run(drop.name, func(t *testing.T) {
			srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{})
			srv.RequireResumeHandle(true)
			// Wait until the stream has the handle the server sent after setup.
			ev := eventOf(t, recv(t, st), fullduplex.EventMetadata)
			ru := ev.Data.(*genai.LiveServerSessionResumptionUpdate)
			require.NoError(t, drop.do(c0))
			info := untilReconnect(t, st)
			assert.Equal(t, "connection lost", info.Reason)
			assert.Error(t, info.Err)
			assert.True(t, info.Resumed)
			c1, err := srv.WaitConn(waitCtx(t), 1)
			require.NoError(t, err)
			assert.Equal(t, ru.NewHandle, c1.Setup().SessionResumption.Handle)
			require.NoError(t, st.Send(waitCtx(t), fullduplex.TextSymbol("hi")))
			_, err = c1.WaitFor(waitCtx(t), geminitest.IsClientContent)
			require.NoError(t, err)
		})
	}
}

func TestThreeFailedReconnectsEndTheStream(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{ReconnectBackoff: time.Millisecond})
	srv.RefuseConnections(100, 503)
	c0.Drop()
	var err error
	for err == nil {
		_, err = st.Receive(waitCtx(t))
	}
	require.ErrorIs(t, err, gemini.ErrReconnectFailed)
	assert.Contains(t, err.Error(), "3 attempts")
	assertNoKey(t, err)
	assert.False(t, st.Connected())
	assert.Len(t, srv.Conns(), 1)
}

func TestReconnectRefusedHandleIsFatal(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	srv.RequireResumeHandle(true)
	// Sent raw, this handle is unknown to the server.
	require.NoError(t, c0.Send(&genai.LiveServerMessage{SessionResumptionUpdate: &genai.LiveServerSessionResumptionUpdate{NewHandle: "unknown", Resumable: true}}))
	c0.Drop()
	var err error
	for err == nil {
		_, err = st.Receive(waitCtx(t))
	}
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1008, ce.Code)
	assert.Len(t, srv.Conns(), 2, "a policy violation is not retried")
}

func TestNoReconnectWithoutResumption(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{DisableResumption: true})
	c0.Drop()
	_, err := st.Receive(waitCtx(t))
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1006, ce.Code)
	assert.Contains(t, err.Error(), "dropped")
	assert.Len(t, srv.Conns(), 1)
}

func TestSendBufferDropsOldestAudio(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	srv.HangSetup(true)
	require.NoError(t, c0.SendGoAway(30*time.Second))
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	// 1.5 s of 20 ms chunks; the buffer keeps the newest second.
	for i := range 75 {
		pcm := make([]byte, 640)
		pcm[0] = byte(i)
		require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(pcm, 16000)))
	}
	srv.HangSetup(false)
	info := untilReconnect(t, st)
	assert.Equal(t, 25, info.DroppedAudio)
	ms, err := c1.WaitCount(ctx, geminitest.IsAudio, 50)
	require.NoError(t, err)
	first, _, _ := ms[0].Audio()
	assert.Equal(t, byte(25), first[0], "the oldest audio was dropped")
}

func TestGoAwayActedOnWhileApplicationIsSlow(t *testing.T) {
	srv, _, c0 := start(t, geminitest.Options{}, gemini.Config{})
	// Nobody calls Receive: the background reader still sees the GoAway.
	for range 20 {
		require.NoError(t, c0.SendText("unread"))
	}
	require.NoError(t, c0.SendGoAway(30*time.Second))
	_, err := srv.WaitConn(waitCtx(t), 1)
	require.NoError(t, err)
}

func TestConnectionsThatDieAtOnceCountAsFailures(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{ReconnectBackoff: time.Millisecond})
	require.NoError(t, c0.SendText("the model spoke")) // c0 was a good connection
	// Every later connection is dropped right after setup and its
	// resumption update, before the model says anything.
	ctx := waitCtx(t)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 1; ; i++ {
			c, err := srv.WaitConn(ctx, i)
			if err != nil {
				return
			}
			if _, err := c.WaitFor(ctx, geminitest.IsSetup); err != nil {
				return
			}
			c.Drop()
		}
	}()
	c0.Drop()
	var err error
	for err == nil {
		_, err = st.Receive(ctx)
	}
	require.ErrorIs(t, err, gemini.ErrReconnectFailed)
	srv.Close()
	<-done
	assert.Len(t, srv.Conns(), 1+3, "the first reconnect plus two more, then it gives up")
}
