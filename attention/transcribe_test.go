package attention_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
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

// The transcriber is a real Gemini Live stream (against geminitest): its
// input transcription, which the service sends in fragments after the
// input's audio stream ended, claims the floor for the input by the
// activation phrase, and the input's audio passes from the pre-roll.
func TestTranscriberGeminiLive(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := geminitest.New(t, geminitest.Options{})
	live := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: geminitest.DefaultAPIKey, CloseSendWait: 200 * time.Millisecond})
	defer live.Close()
	require.NoError(t, live.Connect(ctx))
	served := make(chan error, 1)
	go func() {
		served <- func() error {
			c, err := srv.WaitConn(ctx, 0)
			if err != nil {
				return err
			}
			if _, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd); err != nil {
				return err
			}
			for _, err := range []error{
				c.SendInputTranscription("Hey", false),
				c.SendInputTranscription(" kiosk, where is gate four?", true),
				c.SendText("Gate four is to the left."), // its answer, dropped
				c.SendTurnComplete(),
			} {
				if err != nil {
					return err
				}
			}
			return nil
		}()
	}()
	mic := (&script{}).silence(100 * ms).speech(300 * ms)
	q := newSequence(mic)
	ins := q.inputs("mic")
	ins[0].Transcriber = live
	log := &floorLog{}
	a, err := attention.New(attention.Config{Selective: attention.Selective{Phrase: "hey kiosk"}, OnEvent: log.on}, ins...)
	require.NoError(t, err)
	got := run(t, a)
	require.NoError(t, <-served)
	assert.Equal(t, []string{"mic:phrase", "-mic:ended"}, log.brief())
	assert.Len(t, got, 20, "the pre-roll: the last 500 ms of audio")
	assert.EqualValues(t, 2, a.Stats().Transcripts.Text)
}
