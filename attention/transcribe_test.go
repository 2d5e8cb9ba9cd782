package attention_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func userTranscript(text string) fd.Symbol {
	s := fd.TextSymbol(text)
	s.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaFinal: true, fd.MetaRole: fd.RoleUser}
	return s
}

// With a Transcriber, an input needs no speech-to-text of its own: the
// stream hears the input's audio, and its transcript, in fragments as a
// Live model gives it, claims the floor by the activation phrase; its
// answers are dropped. The transcript of the last words, which the
// transcriber gives once the input ended, still counts, and the claiming
// speech is passed from the pre-roll.
func TestTranscriberClaimsByPhrase(t *testing.T) {
	visitor := (&script{}).silence(100 * ms).speech(600 * ms)
	passerby := (&script{}).speech(700 * ms)
	q := newSequence(visitor, passerby)
	ins := q.inputs("visitor", "passerby")
	stt, other := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	require.NoError(t, stt.Connect(t.Context()))
	require.NoError(t, other.Connect(t.Context()))
	// Released when the input ends (CloseSend ends the input turn).
	stt.EmitAfterInput(userTranscript("Hey"), userTranscript(" kiosk, where"), model("I am not asked.", 1), end(1), userTranscript(" is gate four?"))
	other.EmitAfterInput(userTranscript("Nice weather, hey"), userTranscript(" there, kiosk"))
	ins[0].Transcriber, ins[1].Transcriber = stt, other
	log := &floorLog{}
	a, err := attention.New(attention.Config{
		Selective: attention.Selective{Phrase: "hey kiosk"},
		Sustained: attention.Sustained{PreRoll: time.Second},
		OnEvent:   log.on,
	}, ins...)
	require.NoError(t, err)
	got := run(t, a)
	assert.Equal(t, []string{"visitor:phrase", "-visitor:ended"}, log.brief())
	require.Len(t, log.changes, 2)
	assert.Equal(t, visitor.syms[len(visitor.syms)-1].Timestamp, log.changes[0].At, "stamped with the latest audio sent")
	per := bySource(got)
	assert.Len(t, per["visitor"], len(visitor.syms), "all of the visitor's audio, from the pre-roll")
	assert.Empty(t, per["passerby"])
	assert.Len(t, stt.Sent(), len(visitor.syms), "the transcriber heard the input's audio")
	assert.True(t, stt.InputClosed())
	st := a.Stats()
	assert.EqualValues(t, 5, st.Transcripts.Text, "every transcript steered attention, none was passed")
}
