package geminitest_test

import (
	"os"
	"regexp"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// speechWithPauses returns hello.wav (16 kHz speech, 2.9 s) between pauses
// of silence, as a live microphone would send it: nobody says when it ends.
func speechWithPauses(t *testing.T, before, after int) []byte {
	t.Helper()
	f, err := os.Open("../../testdata/hello.wav")
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	require.Equal(t, 16000, w.SampleRate)
	var s []int16
	s = pcm.AppendSilence(s, before*16)
	s = append(s, w.Samples...)
	s = pcm.AppendSilence(s, after*16)
	return pcm.EncodeInt16(nil, s)
}

// With automatic activity detection on (the default), the echo model ends
// a spoken turn by itself when the user stops talking.
func TestEchoDetectsEndOfSpeech(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	sess, err := connect(t, srv, srv.APIKey(), &genai.LiveConnectConfig{ResponseModalities: []genai.Modality{genai.ModalityAudio}})
	require.NoError(t, err)
	defer sess.Close()

	audio := speechWithPauses(t, 1000, 1500)
	for len(audio) > 0 {
		n := min(640, len(audio))
		require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{Audio: &genai.Blob{Data: audio[:n], MIMEType: "audio/pcm;rate=16000"}}))
		audio = audio[n:]
	}
	var heard string
	var echoed int
	for {
		msg, err := sess.Receive()
		require.NoError(t, err)
		sc := msg.ServerContent
		if sc == nil {
			continue
		}
		if sc.InputTranscription != nil {
			heard = sc.InputTranscription.Text
		}
		if sc.ModelTurn != nil {
			for _, p := range sc.ModelTurn.Parts {
				if p.InlineData != nil {
					echoed += len(p.InlineData.Data)
				}
			}
		}
		if sc.TurnComplete {
			break
		}
	}
	ms := regexp.MustCompile(`\[(\d+) ms of audio\]`).FindStringSubmatch(heard)
	require.Len(t, ms, 2, "input transcription %q", heard)
	n, _ := strconv.Atoi(ms[1])
	// The turn holds the 2.9 s of speech with a little pre-roll and the
	// 600 ms of silence that ended it, not the whole 5.4 s sent.
	assert.Greater(t, n, 2900)
	assert.Less(t, n, 4500)
	assert.InDelta(t, n*48, echoed, 48*40, "the turn comes back at 24 kHz")
}

// With automatic activity detection off, only activityEnd or
// audioStreamEnd end a turn, even across silence.
func TestEchoWaitsForExplicitEndWhenDetectionIsOff(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	sess, err := connect(t, srv, srv.APIKey(), &genai.LiveConnectConfig{
		RealtimeInputConfig: &genai.RealtimeInputConfig{AutomaticActivityDetection: &genai.AutomaticActivityDetection{Disabled: true}},
	})
	require.NoError(t, err)
	defer sess.Close()
	audio := speechWithPauses(t, 500, 1000)
	want := "[" + strconv.Itoa(len(audio)/2*1000/16000) + " ms of audio]"
	require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{ActivityStart: &genai.ActivityStart{}}))
	for len(audio) > 0 {
		n := min(640, len(audio))
		require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{Audio: &genai.Blob{Data: audio[:n], MIMEType: "audio/pcm;rate=16000"}}))
		audio = audio[n:]
	}
	require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{ActivityEnd: &genai.ActivityEnd{}}))
	for {
		msg, err := sess.Receive()
		require.NoError(t, err)
		if sc := msg.ServerContent; sc != nil && sc.InputTranscription != nil {
			assert.Equal(t, want, sc.InputTranscription.Text, "everything sent is one turn")
			return
		}
	}
}

// receiveTurn reads one model turn and returns its input transcription
// ("" if none) and output transcription.
func receiveTurn(t *testing.T, sess *genai.Session) (heard, said string) {
	t.Helper()
	for {
		msg, err := sess.Receive()
		require.NoError(t, err)
		sc := msg.ServerContent
		if sc == nil {
			continue
		}
		if sc.InputTranscription != nil {
			heard = sc.InputTranscription.Text
		}
		if sc.OutputTranscription != nil {
			said = sc.OutputTranscription.Text
		}
		if sc.TurnComplete {
			return heard, said
		}
	}
}

// audioStreamEnd after a turn the detector already ended answers nothing:
// the silence that followed is no turn (mic-chat -in-wav used to get a
// phantom second answer from it). During speech it ends the turn at once.
func TestEchoAudioStreamEndFlushesOnlySpeech(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	sess, err := connect(t, srv, srv.APIKey(), &genai.LiveConnectConfig{ResponseModalities: []genai.Modality{genai.ModalityAudio}})
	require.NoError(t, err)
	defer sess.Close()
	send := func(audio []byte) {
		for len(audio) > 0 {
			n := min(640, len(audio))
			require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{Audio: &genai.Blob{Data: audio[:n], MIMEType: "audio/pcm;rate=16000"}}))
			audio = audio[n:]
		}
	}
	end := func() { require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{AudioStreamEnd: true})) }
	ping := func() {
		require.NoError(t, sess.SendClientContent(genai.LiveClientContentInput{
			Turns: []*genai.Content{genai.NewContentFromText("ping", genai.RoleUser)}, TurnComplete: genai.Ptr(true)}))
	}

	send(speechWithPauses(t, 300, 1500)) // the detector ends the turn 600 ms into the pause
	heard, _ := receiveTurn(t, sess)
	require.Contains(t, heard, "ms of audio]")
	end()
	ping() // the next turn must be the answer to ping, not to the silence
	heard, said := receiveTurn(t, sess)
	assert.Empty(t, heard, "no spoken turn from the silence")
	assert.Equal(t, "echo: ping", said)

	send(speechWithPauses(t, 300, 100)) // still talking (the detector's hangover) when the stream ends
	end()
	heard, _ = receiveTurn(t, sess)
	ms := regexp.MustCompile(`\[(\d+) ms of audio\]`).FindStringSubmatch(heard)
	require.Len(t, ms, 2, "input transcription %q", heard)
	n, _ := strconv.Atoi(ms[1])
	assert.Greater(t, n, 2900, "the whole utterance")
}
