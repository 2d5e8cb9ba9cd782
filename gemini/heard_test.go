package gemini_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// With a PlaybackReporter, a cut turn's terminator says what the listener
// heard: the played audio, and the same share of the output transcription,
// including transcription that arrives after the interrupt.
func TestInterruptCarriesWhatWasHeard(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	chunk := geminitest.Tone(300, 24000, 40)
	require.NoError(t, c.SendAudio(chunk, 24000))
	require.NoError(t, c.SendAudio(chunk, 24000))
	require.NoError(t, c.SendOutputTranscription("hello wor", false))
	for range 3 {
		recv(t, st)
	}
	speaker.SetPlayed(0, 40*time.Millisecond)
	require.NoError(t, c.SendInterrupted())
	require.NoError(t, c.SendOutputTranscription("ld!!", false)) // late: still the cut turn's
	require.NoError(t, c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{TurnComplete: true}}))

	symbol(t, recv(t, st)) // the late transcription
	ev := eventOf(t, recv(t, st), fullduplex.EventInterrupt)
	assert.Equal(t, fullduplex.TurnEnd{Turn: 0, Heard: &fullduplex.Heard{
		Audio: 40 * time.Millisecond, Received: 80 * time.Millisecond, Transcript: "hello ",
	}}, ev.Data)

	// The next turn starts from nothing; a turn that ends normally has no Heard.
	require.NoError(t, c.SendAudio(chunk, 24000))
	require.NoError(t, c.SendTurnComplete())
	symbol(t, recv(t, st))
	ev = eventOf(t, recv(t, st), fullduplex.EventStreamEnd)
	assert.Equal(t, fullduplex.TurnEnd{Turn: 1}, ev.Data)
}

// Without a reporter, no Heard: nobody knows what was played.
func TestInterruptWithoutAReporterHasNoHeard(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	require.NoError(t, c.SendAudio(geminitest.Tone(300, 24000, 40), 24000))
	require.NoError(t, c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{Interrupted: true, TurnComplete: true}}))
	symbol(t, recv(t, st))
	ev := eventOf(t, recv(t, st), fullduplex.EventInterrupt)
	assert.Equal(t, fullduplex.TurnEnd{Turn: 0}, ev.Data)
}
