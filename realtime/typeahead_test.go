package realtime_test

import (
	"io"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Lines pasted at once, before the model has started to answer the first:
// each is a turn of its own, answered in order, and none cuts off the
// answer before it.
func TestTypedAheadTurnsAreAnsweredInOrder(t *testing.T) {
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("first answer")}, Block: release})
	st := start(t, m, realtime.Config{})

	say(t, st, "hello")
	_, err := m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)
	say(t, st, "second line") // the model is still thinking about "hello"
	say(t, st, "third")
	assert.Equal(t, []string{"user: hello"}, dialogue(st.History()), "turns typed ahead wait outside the prompt")
	close(release)

	assert.Equal(t, "first answer", answer(t, st)) // answer fails on an EventInterrupt
	assert.Equal(t, "You said: second line", answer(t, st))
	assert.Equal(t, "You said: third", answer(t, st))
	prompts, err := m.WaitCalls(ctxT(t), 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: hello", "model: first answer", "user: second line"}, dialogue(prompts[1]))
	assert.Equal(t, []string{"user: hello", "model: first answer", "user: second line", "model: You said: second line", "user: third"},
		dialogue(prompts[2]))
}

// A cut ends the answer under way, not the turns typed ahead of it: the
// next one is answered after the interrupt.
func TestInterruptKeepsTheTurnsTypedAhead(t *testing.T) {
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("a very ")}, Block: release, Hang: true})
	st := start(t, m, realtime.Config{})
	say(t, st, "one")
	_, err := m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)
	say(t, st, "two")
	close(release)
	requireText(t, recv(t, st), "a very ", 1)
	require.NoError(t, st.InterruptOutput(ctxT(t)))
	ev := requireEvent(t, recv(t, st), fd.EventInterrupt)
	assert.Equal(t, fd.TurnEnd{Turn: 1}, ev.Data)
	assert.Equal(t, "You said: two", answer(t, st))
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: one", "model: a very ", "user: two"}, dialogue(prompts[1]))
}

// CloseSend completes the input held aside as a turn of its own, after the
// answer under way, which it does not cut off.
func TestCloseSendDoesNotCutTheAnswer(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("a", "b")
	st := start(t, m, realtime.Config{})
	say(t, st, "q")
	requireText(t, recv(t, st), "a", 1) // the answer is under way
	require.NoError(t, st.Send(ctxT(t), fd.ImageSymbol([]byte{1}, "image/png")))
	require.NoError(t, st.CloseSend(ctxT(t)))
	requireText(t, recv(t, st), "b", 1)
	end := requireEvent(t, recv(t, st), fd.EventStreamEnd)
	assert.Equal(t, fd.TurnEnd{Turn: 1}, end.Data)
	assert.Equal(t, "You said: ", answer(t, st), "the image is answered as its own turn")
	_, err := st.Receive(ctxT(t))
	assert.ErrorIs(t, err, io.EOF)
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: q", "model: ab", "user: [image]"}, dialogue(prompts[1]))
}

// CloseSend with turns typed ahead answers every one of them before io.EOF.
func TestCloseSendAnswersEveryTurnTypedAhead(t *testing.T) {
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("1")}, Block: release})
	st := start(t, m, realtime.Config{})
	say(t, st, "a")
	say(t, st, "b")
	say(t, st, "c")
	require.NoError(t, st.CloseSend(ctxT(t)))
	close(release)
	assert.Equal(t, "1", answer(t, st))
	assert.Equal(t, "You said: b", answer(t, st))
	assert.Equal(t, "You said: c", answer(t, st))
	_, err := st.Receive(ctxT(t))
	assert.ErrorIs(t, err, io.EOF)
}
