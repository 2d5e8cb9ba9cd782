package openai_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// Speech at 16 kHz goes out resampled to 24 kHz; the service's VAD hears it
// start and stop, commits it and answers; the user's speech comes back
// transcribed (role user) and the answer as audio with its transcript.
func TestServerVADTurn(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{})
	speech := utterance(16000, 800)
	sendAudio(t, st, speech, 16000)
	items := untilTerminator(t, st)

	want := len(speech) * 3 / 2
	got := waitAppended(t, conn, resampledBytes(t, speech, 16000, 24000))
	assert.InDelta(t, want, got, float64(want)/50, "16 kHz resampled to 24 kHz on the wire")
	require.Len(t, metadata[openai.SpeechStarted](items), 1)
	require.Len(t, metadata[openai.SpeechStopped](items), 1)
	var user string
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Role() == fd.RoleUser {
			user, _ = s.TextValue()
		}
	}
	assert.Contains(t, user, "ms of audio", "the user's transcript")
	assert.True(t, strings.HasPrefix(modelText(items), "echo: "), modelText(items))
	assert.Positive(t, audioBytes(items))
	assert.Equal(t, fd.EventStreamEnd, items[len(items)-1].(fd.StreamEvent).Type)
	sess := conn.Session()
	in := sess["audio"].(map[string]any)["input"].(map[string]any)
	assert.Equal(t, map[string]any{"model": openai.DefaultTranscription}, in["transcription"])
}

// Push-to-talk: without turn detection, SendEnd commits the audio and asks
// for the answer.
func TestPushToTalk(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{TurnDetection: openai.TurnDetection{Type: openai.NoDetection}})
	in := conn.Session()["audio"].(map[string]any)["input"].(map[string]any)
	assert.Nil(t, in["turn_detection"], "turn_detection null")
	sendAudio(t, st, openaitest.Tone(300, 16000, 400), 16000)
	require.NoError(t, st.SendEnd(testCtx(t)))
	items := untilTerminator(t, st)
	assert.Contains(t, modelText(items), "ms of audio")
	require.Len(t, eventsOf(conn, "input_audio_buffer.commit"), 1)
	require.Len(t, eventsOf(conn, "response.create"), 1)
	// SendEnd with nothing sent since commits nothing.
	require.NoError(t, st.SendEnd(testCtx(t)))
	require.NoError(t, st.CloseSend(testCtx(t)))
	drain(t, st)
	assert.Len(t, eventsOf(conn, "input_audio_buffer.commit"), 1)
}

// CloseSend commits push-to-talk audio not yet committed, and the stream
// ends after its answer.
func TestCloseSendCommitsPendingAudio(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{TurnDetection: openai.TurnDetection{Type: openai.NoDetection}})
	sendAudio(t, st, openaitest.Tone(300, 16000, 300), 16000)
	require.NoError(t, st.CloseSend(testCtx(t)))
	items := drain(t, st)
	assert.Contains(t, modelText(items), "ms of audio")
	assert.Len(t, events(items, fd.EventStreamEnd), 1)
	assert.Len(t, eventsOf(conn, "input_audio_buffer.commit"), 1)
	assert.ErrorIs(t, st.Send(testCtx(t), fd.TextSymbol("late")), openai.ErrInputClosed)
}

// G.711 on the wire, PCM to the application: input encoded at 8 kHz, one
// byte per sample; output decoded to 8 kHz PCM symbols.
func TestG711(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{InputFormat: openai.FormatPCMU, OutputFormat: openai.FormatPCMA, InputSampleRate: 8000,
		TurnDetection: openai.TurnDetection{Type: openai.NoDetection}})
	sendAudio(t, st, openaitest.Tone(300, 8000, 400), 8000)
	require.NoError(t, st.SendEnd(testCtx(t)))
	items := untilTerminator(t, st)
	assert.Equal(t, 3200, appended(conn), "400 ms at 8 kHz, one byte per sample")
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
			assert.Equal(t, 8000, s.SampleRate())
			require.NoError(t, s.Validate())
		}
	}
	assert.InDelta(t, 6400, audioBytes(items), 200, "400 ms echoed as 8 kHz 16-bit PCM")
	a := conn.Session()["audio"].(map[string]any)
	assert.Equal(t, "audio/pcmu", a["input"].(map[string]any)["format"].(map[string]any)["type"])
	assert.Equal(t, "audio/pcma", a["output"].(map[string]any)["format"].(map[string]any)["type"])
}

// Symbols the service cannot take are refused; the stream stays usable.
func TestInvalidSymbols(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, _ := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	for _, s := range []fd.Symbol{
		fd.AudioSymbol(make([]byte, 320), 44100),
		fd.AudioSymbol(make([]byte, 3), 16000),
		fd.TextSymbol(""),
		fd.VideoSymbol([]byte{1}, "video/mp4"),
	} {
		err := st.Send(ctx, s)
		assert.True(t, errors.Is(err, fd.ErrInvalidSymbol), "%v: %v", s, err)
	}
	require.NoError(t, st.Send(ctx, fd.ImageSymbol([]byte{0xff, 0xd8}, "image/jpeg")))
	require.NoError(t, st.Send(ctx, fd.TextSymbol("fine")))
	assert.Equal(t, "echo: fine", modelText(untilTerminator(t, st)))
}
