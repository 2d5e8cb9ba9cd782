package realtime_test

import (
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPromptAndOutputOrder(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("Hello", ", ", "Ada.")
	m.Reply("Fine", ", thanks.")
	st := start(t, m, realtime.Config{})

	say(t, st, "Hi, I am Ada.")
	requireText(t, recv(t, st), "Hello", 1)
	requireText(t, recv(t, st), ", ", 1)
	requireText(t, recv(t, st), "Ada.", 1)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)

	say(t, st, "How are you?")
	requireText(t, recv(t, st), "Fine", 2)
	requireText(t, recv(t, st), ", thanks.", 2)
	requireEvent(t, recv(t, st), fd.EventStreamEnd)

	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: Hi, I am Ada."}, dialogue(prompts[0]))
	// The model's fragments are one text in the next prompt.
	assert.Equal(t, []string{"user: Hi, I am Ada.", "model: Hello, Ada.", "user: How are you?"}, dialogue(prompts[1]))
}

func TestInputDuringAnswerIsHeldAside(t *testing.T) {
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("a long answer")}, Block: release})
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerSendEnd})

	say(t, st, "tell me a story")
	require.NoError(t, st.SendEnd(ctxT(t)))
	_, err := m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)

	// While the model works, the camera and the user go on.
	require.NoError(t, st.Send(ctxT(t), fd.ImageSymbol([]byte{0xff, 0xd8}, "image/jpeg")))
	say(t, st, "with dragons")
	assert.Equal(t, []string{"user: tell me a story"}, dialogue(st.History()), "held input is not in the prompt yet")

	close(release)
	assert.Equal(t, "a long answer", answer(t, st))
	assert.Equal(t, []string{"user: tell me a story", "model: a long answer", "user: [image] with dragons"}, dialogue(st.History()))

	require.NoError(t, st.SendEnd(ctxT(t)))
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: tell me a story", "model: a long answer", "user: [image] with dragons"}, dialogue(prompts[1]))
	assert.Equal(t, "You said: with dragons", answer(t, st))
}

func TestWindowCutsOldContent(t *testing.T) {
	clk := newClock()
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Window: time.Minute, Now: clk.Now})

	say(t, st, "first")
	assert.Equal(t, "You said: first", answer(t, st))
	clk.Advance(40 * time.Second)
	say(t, st, "second")
	assert.Equal(t, "You said: second", answer(t, st))
	clk.Advance(30 * time.Second) // "first" and its answer are 70 s old now
	say(t, st, "third")
	assert.Equal(t, "You said: third", answer(t, st))

	prompts, err := m.WaitCalls(ctxT(t), 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: first", "model: You said: first", "user: second"}, dialogue(prompts[1]))
	assert.Equal(t, []string{"user: second", "model: You said: second", "user: third"}, dialogue(prompts[2]))

	clk.Advance(2 * time.Minute) // everything is old: the prompt is the new turn alone
	say(t, st, "fourth")
	assert.Equal(t, "You said: fourth", answer(t, st))
	prompts, err = m.WaitCalls(ctxT(t), 4)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: fourth"}, dialogue(prompts[3]))
}

func TestWindowNeverStartsWithModel(t *testing.T) {
	clk := newClock()
	m := realtimetest.NewModel()
	release := make(chan struct{})
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("slow")}, Block: release})
	st := start(t, m, realtime.Config{Window: time.Minute, Now: clk.Now})
	say(t, st, "q1")
	clk.Advance(50 * time.Second)
	close(release)
	assert.Equal(t, "slow", answer(t, st)) // the model turn is newer than the user turn
	clk.Advance(20 * time.Second)          // q1 is out of the window, "slow" is not
	say(t, st, "q2")
	assert.Equal(t, "You said: q2", answer(t, st))
	prompts, err := m.WaitCalls(ctxT(t), 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: q2"}, dialogue(prompts[1]))
}

func TestMaxTurns(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{MaxTurns: 3, Window: -1})
	for _, q := range []string{"a", "b", "c"} {
		say(t, st, q)
		answer(t, st)
	}
	prompts, err := m.WaitCalls(ctxT(t), 3)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: a", "model: You said: a", "user: b"}, dialogue(prompts[1]))
	assert.Equal(t, []string{"user: b", "model: You said: b", "user: c"}, dialogue(prompts[2]))
}

func TestAudioChunksMergeInThePrompt(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("heard you")
	st := start(t, m, realtime.Config{KeepSilence: true, DisableBargeIn: true, Triggers: realtime.TriggerSendEnd})
	sendAll(t, st, silence(100), voice(400), silence(100))
	require.NoError(t, st.SendEnd(ctxT(t)))
	assert.Equal(t, "heard you", answer(t, st))
	prompts, err := m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: [audio 600ms]"}, dialogue(prompts[0]))
	assert.Equal(t, "audio/pcm;rate=16000", prompts[0][0].Symbols[0].MIMEType)
}

func TestMaxImages(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{MaxImages: 2, Triggers: realtime.TriggerSendEnd})
	frame := func(b byte) fd.Symbol { return fd.VideoSymbol([]byte{b}, "image/jpeg") }
	ctx := ctxT(t)
	require.NoError(t, st.Send(ctx, frame(1)))
	say(t, st, "look")
	require.NoError(t, st.Send(ctx, frame(2)))
	require.NoError(t, st.Send(ctx, frame(3)))
	require.NoError(t, st.SendEnd(ctx))
	answer(t, st)
	prompts, err := m.WaitCalls(ctx, 1)
	require.NoError(t, err)
	require.Len(t, prompts[0], 1)
	var data []byte
	for _, s := range prompts[0][0].Symbols {
		if s.Modality == fd.ModalityVideo {
			data = append(data, s.Data...)
		}
	}
	assert.Equal(t, []byte{2, 3}, data, "the newest frames stay")
	assert.Equal(t, []string{"user: look [video] [video]"}, dialogue(prompts[0]))
}
