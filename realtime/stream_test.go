package realtime_test

import (
	"context"
	"errors"
	"io"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNotConnected(t *testing.T) {
	st := realtime.NewStream(realtimetest.NewModel(), realtime.Config{})
	defer st.Close()
	ctx := ctxT(t)
	assert.False(t, st.Connected())
	assert.ErrorIs(t, st.Send(ctx, fd.TextSymbol("hi")), fd.ErrNotConnected)
	assert.ErrorIs(t, st.SendEnd(ctx), fd.ErrNotConnected)
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, fd.ErrNotConnected)
	assert.ErrorIs(t, st.InterruptOutput(ctx), fd.ErrNotConnected)
}

func TestConfigErrors(t *testing.T) {
	for name, cfg := range map[string]realtime.Config{
		"negative MaxTurns":     {MaxTurns: -1},
		"negative Hangover":     {Hangover: -1},
		"negative OutputBuffer": {OutputBuffer: -1},
		"negative MaxImages":    {MaxImages: -1},
		"negative PreRoll":      {PreRoll: -1},
	} {
		t.Run(name, func(t *testing.T) {
			st := realtime.NewStream(realtimetest.NewModel(), cfg)
			defer st.Close()
			assert.ErrorContains(t, st.Connect(ctxT(t)), "realtime: negative")
		})
	}
	st := realtime.NewStream(nil, realtime.Config{})
	defer st.Close()
	assert.ErrorContains(t, st.Connect(ctxT(t)), "nil TurnModel")
}

func TestConnectTwiceCloseIdempotent(t *testing.T) {
	st := start(t, realtimetest.NewModel(), realtime.Config{})
	require.NoError(t, st.Connect(ctxT(t)))
	assert.True(t, st.Connected())
	require.NoError(t, st.Close())
	require.NoError(t, st.Close())
	assert.False(t, st.Connected())
	assert.ErrorIs(t, st.Connect(ctxT(t)), fd.ErrClosed)
	assert.ErrorIs(t, st.Send(ctxT(t), fd.TextSymbol("x")), fd.ErrClosed)
	_, err := st.Receive(ctxT(t))
	assert.ErrorIs(t, err, fd.ErrClosed)
}

func TestCloseUnblocksReceiveAndCancelsTheCall(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("thinking")
	st := start(t, m, realtime.Config{})
	say(t, st, "hi")
	requireText(t, recv(t, st), "thinking", 1)

	errc := make(chan error, 1)
	go func() {
		_, err := st.Receive(context.Background())
		errc <- err
	}()
	require.NoError(t, st.Close()) // waits for the hanging model call
	assert.ErrorIs(t, <-errc, fd.ErrClosed)
	require.NoError(t, m.WaitEnded(ctxT(t), 1))
}

func TestReceiveHonoursContext(t *testing.T) {
	st := start(t, realtimetest.NewModel(), realtime.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	// The stream goes on.
	say(t, st, "still there?")
	assert.Equal(t, "You said: still there?", answer(t, st))
}

func TestCloseSendAnswersThenEOF(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerSendEnd})
	say(t, st, "last words")
	require.NoError(t, st.CloseSend(ctxT(t)))
	require.NoError(t, st.CloseSend(ctxT(t)))
	assert.Equal(t, "You said: last words", answer(t, st))
	_, err := st.Receive(ctxT(t))
	assert.ErrorIs(t, err, io.EOF)
	assert.ErrorIs(t, st.Send(ctxT(t), fd.TextSymbol("more")), realtime.ErrInputClosed)
	assert.NoError(t, st.SendEnd(ctxT(t)), "SendEnd after CloseSend is harmless")
}

func TestInvalidSymbolsAreRefused(t *testing.T) {
	st := start(t, realtimetest.NewModel(), realtime.Config{})
	ctx := ctxT(t)
	assert.ErrorIs(t, st.Send(ctx, fd.Symbol{Modality: fd.ModalityText}), fd.ErrInvalidSymbol)
	stereo := fd.AudioSymbol(make([]byte, 640), rate)
	stereo = stereo.WithMeta(fd.MetaChannels, 2)
	assert.ErrorIs(t, st.Send(ctx, stereo), fd.ErrInvalidSymbol)
	assert.ErrorIs(t, st.Send(ctx, fd.AudioSymbol(make([]byte, 64), 100)), fd.ErrInvalidSymbol)
	// Still usable.
	say(t, st, "ok")
	assert.Equal(t, "You said: ok", answer(t, st))
}

func TestModelErrorsAreEvents(t *testing.T) {
	boom := errors.New("boom")
	m := realtimetest.NewModel()
	m.Fail(boom)
	m.Reply() // empty
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("half"), {Modality: fd.ModalityText}}, Err: boom})
	st := start(t, m, realtime.Config{})

	say(t, st, "one")
	ev := requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorIs(t, ev.Data.(error), realtime.ErrModel)
	assert.ErrorIs(t, ev.Data.(error), boom)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)

	say(t, st, "two")
	ev = requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorIs(t, ev.Data.(error), realtime.ErrEmptyAnswer)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)

	say(t, st, "three")
	requireText(t, recv(t, st), "half", 3)
	ev = requireEvent(t, recv(t, st), fd.EventError) // the empty symbol
	assert.ErrorIs(t, ev.Data.(error), fd.ErrInvalidSymbol)
	ev = requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorIs(t, ev.Data.(error), boom)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)

	// The stream goes on, and the prompt holds what was said: the turns
	// that got no answer at all are left out, the half answer stays.
	say(t, st, "four")
	assert.Equal(t, "You said: four", answer(t, st))
	assert.Equal(t, []string{"user: three", "model: half", "user: four", "model: You said: four"},
		dialogue(st.History()))
}

// A model call that fails on an input does not poison the next turns: the
// rejected input is dropped, and the next input is a turn of its own.
func TestRejectedInputIsDropped(t *testing.T) {
	rejected := errors.New("HTTP 400: content rejected")
	m := realtimetest.NewModel()
	m.Reply("fine")
	m.Fail(rejected)
	st := start(t, m, realtime.Config{})

	say(t, st, "hello")
	assert.Equal(t, "fine", answer(t, st))
	say(t, st, "something the server refuses")
	ev := requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorIs(t, ev.Data.(error), rejected)
	end := requireEvent(t, recv(t, st), fd.EventStreamEnd)
	assert.Equal(t, fd.TurnEnd{Turn: 2, Reason: "error"}, end.Data)

	say(t, st, "next question")
	assert.Equal(t, "You said: next question", answer(t, st))
	prompts, err := m.WaitCalls(ctxT(t), 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: hello", "model: fine", "user: next question"}, dialogue(prompts[2]),
		"the rejected input is not sent again, nor merged with the next")
}
