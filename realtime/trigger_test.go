package realtime_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// transcript is a user transcript as a speech-to-text step sends it.
func transcript(text string, final bool) fd.Symbol {
	s := fd.TextSymbol(text)
	s.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaFinal: final}
	return s
}

func TestTriggerEndOfSpeech(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("heard")
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerEndOfSpeech})

	sendAll(t, st, silence(1000), voice(600), silence(300))
	assert.Zero(t, m.Calls(), "a pause shorter than the hangover does not end the turn")
	sendAll(t, st, silence(300))
	_, err := m.WaitCalls(ctxT(t), 1) // the end of speech started the call
	require.NoError(t, err)
	assert.Equal(t, "heard", answer(t, st))

	prompts := m.Prompts()
	require.Len(t, prompts, 1)
	// Speech and its hangover with 300 ms of pre-roll; the second of
	// silence before it stays out.
	require.Len(t, prompts[0], 1)
	d := prompts[0][0].Symbols[0].Duration().Milliseconds()
	assert.InDelta(t, 1400, d, 100, "prompt audio %d ms", d)
}

func TestTriggerFinalTranscript(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerFinalTranscript, EchoTranscripts: true})

	ctx := ctxT(t)
	require.NoError(t, st.Send(ctx, transcript("what is", false)))
	require.NoError(t, st.SendEnd(ctx))
	say(t, st, "typed text does not trigger in this mode")
	assert.Zero(t, m.Calls())
	require.NoError(t, st.Send(ctx, transcript("what is the time", true)))

	// Transcripts are echoed as the user's, then the answer follows.
	for _, want := range []string{"what is", "what is the time"} {
		s, ok := recv(t, st).(fd.Symbol)
		require.True(t, ok)
		text, _ := s.TextValue()
		assert.Equal(t, want, text)
		assert.Equal(t, fd.RoleUser, s.Role())
	}
	assert.Equal(t, "You said: typed text does not trigger in this mode\nwhat is the time", answer(t, st))
	prompts, err := m.WaitCalls(ctx, 1)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: typed text does not trigger in this mode what is the time"}, dialogue(prompts[0]),
		"an interim transcript stays out of the prompt")
}

func TestTriggerSendEnd(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerSendEnd})
	ctx := ctxT(t)
	require.NoError(t, st.SendEnd(ctx))
	assert.Zero(t, m.Calls(), "nothing to answer")
	say(t, st, "one")
	say(t, st, "two")
	assert.Zero(t, m.Calls())
	require.NoError(t, st.SendEnd(ctx))
	assert.Equal(t, "You said: one\ntwo", answer(t, st))
	require.NoError(t, st.SendEnd(ctx))
	assert.Equal(t, 1, m.Calls(), "SendEnd without new input does nothing")
}

func TestTriggerText(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerText})
	ctx := ctxT(t)
	require.NoError(t, st.Send(ctx, fd.ImageSymbol([]byte{1}, "image/png")))
	require.NoError(t, st.SendEnd(ctx))
	assert.Zero(t, m.Calls(), "SendEnd is not a trigger here, nor is an image")
	img := fd.ImageSymbol([]byte{2}, "image/png")
	img.Metadata = map[string]any{realtime.MetaTurnComplete: true}
	require.NoError(t, st.Send(ctx, img))
	answer(t, st)
	say(t, st, "and this?")
	assert.Equal(t, "You said: and this?", answer(t, st))
	prompts, err := m.WaitCalls(ctx, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"user: [image] [image]", "model: You said: ", "user: and this?"}, dialogue(prompts[1]))
}
