package realtime_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The history holds what Receive returned before the cut, not what the
// model had produced.
func TestInterruptOutputKeepsOnlyDelivered(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("one ", "two ", "three ")
	st := start(t, m, realtime.Config{})
	say(t, st, "count")
	requireText(t, recv(t, st), "one ", 1)
	requireText(t, recv(t, st), "two ", 1)
	// "three " may be waiting for Receive already: it is dropped.
	require.NoError(t, st.InterruptOutput(ctxT(t)))
	requireEvent(t, recv(t, st), fd.EventInterrupt)
	require.NoError(t, m.WaitEnded(ctxT(t), 1), "the model call is cancelled")
	assert.Equal(t, []string{"user: count", "model: one two "}, dialogue(st.History()))

	say(t, st, "go on")
	requireText(t, recv(t, st), "You said: go on", 2) // nothing of turn 1 after the interrupt
	requireEvent(t, recv(t, st), fd.EventStreamEnd)
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: count", "model: one two ", "user: go on"}, dialogue(prompts[1]))
}

func TestInterruptAfterTheModelFinishedDropsTheUnread(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("read ", "unread")
	st := start(t, m, realtime.Config{})
	say(t, st, "q")
	requireText(t, recv(t, st), "read ", 1)
	require.NoError(t, m.WaitEnded(ctxT(t), 1)) // the whole answer is queued
	require.NoError(t, st.InterruptOutput(ctxT(t)))
	requireEvent(t, recv(t, st), fd.EventInterrupt)
	assert.Equal(t, []string{"user: q", "model: read "}, dialogue(st.History()))
}

func TestInterruptWhenIdleDoesNothing(t *testing.T) {
	st := start(t, realtimetest.NewModel(), realtime.Config{})
	require.NoError(t, st.InterruptOutput(ctxT(t)))
	say(t, st, "hi")
	requireText(t, recv(t, st), "You said: hi", 1)
}

func TestSpeechBargeIn(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("Let me tell you ", "everything")
	m.Reply("ok")
	st := start(t, m, realtime.Config{})
	sendAll(t, st, silence(200)) // the detector learns the background
	say(t, st, "hi")
	requireText(t, recv(t, st), "Let me tell you ", 1)

	sendAll(t, st, voice(300)) // the user talks over the model
	requireEvent(t, recv(t, st), fd.EventInterrupt)
	require.NoError(t, m.WaitEnded(ctxT(t), 1))
	sendAll(t, st, silence(600)) // end of speech: the user's turn is complete
	assert.Equal(t, "ok", answer(t, st))

	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	require.Len(t, prompts[1], 3)
	assert.Equal(t, []string{"user: hi", "model: Let me tell you "}, dialogue(prompts[1][:2]))
	assert.Equal(t, fd.RoleUser, prompts[1][2].Role)
	assert.Equal(t, fd.ModalityAudio, prompts[1][2].Symbols[0].Modality, "the speech that cut in follows the cut answer")
}

func TestDisableBargeIn(t *testing.T) {
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("uninterrupted")}, Block: release})
	st := start(t, m, realtime.Config{DisableBargeIn: true, Triggers: realtime.TriggerText})
	say(t, st, "hi")
	_, err := m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)
	sendAll(t, st, silence(200), voice(300), silence(600))
	close(release)
	assert.Equal(t, "uninterrupted", answer(t, st))
	h := dialogue(st.History())
	assert.Equal(t, []string{"user: hi", "model: uninterrupted", "user: [audio 1.1s]"}, h,
		"without the detector every chunk is kept, after the answer")
}

// A newly completed user turn cuts off the answer and starts the next call.
func TestNewTurnInterruptsTheAnswer(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("blah ", "blah")
	st := start(t, m, realtime.Config{})
	say(t, st, "talk")
	requireText(t, recv(t, st), "blah ", 1)
	say(t, st, "stop")
	requireEvent(t, recv(t, st), fd.EventInterrupt)
	requireText(t, recv(t, st), "You said: stop", 2)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: talk", "model: blah ", "user: stop"}, dialogue(prompts[1]))
}

// A model that is slow to stop cannot slip output past the cut.
func TestOutputBufferBackpressure(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("a", "b", "c", "d", "e")
	st := start(t, m, realtime.Config{OutputBuffer: 1})
	say(t, st, "letters")
	assert.Equal(t, "abcde", answer(t, st))
}
