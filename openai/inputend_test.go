package openai_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// stampedChunks cuts pcm at rate into 20 ms audio symbols stamped as a
// microphone stamps them: each when its last sample was captured, from t0.
func stampedChunks(pcm []byte, rate int, t0 time.Time) []fd.Symbol {
	chunk := rate / 50 * 2
	var out []fd.Symbol
	for i := 0; len(pcm) > 0; i++ {
		n := min(chunk, len(pcm))
		s := fd.AudioSymbol(pcm[:n], rate)
		s.Timestamp = t0.Add(time.Duration(i*chunk+n) * time.Second / time.Duration(2*rate))
		out = append(out, s)
		pcm = pcm[n:]
	}
	return out
}

// speech_stopped's audio_end_ms is mapped back to when that input audio
// was captured: SpeechStopped.At, exactly, from the Timestamps of the
// symbols sent; on a new session the input timeline starts again.
func TestSpeechStoppedAtIsWhenTheAudioWasCaptured(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, _ := open(t, srv, openai.Config{InputSampleRate: 24000})
	ctx := testCtx(t)
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	for _, s := range stampedChunks(utterance(24000, 800), 24000, t0) {
		require.NoError(t, st.Send(ctx, s))
	}
	items := untilTerminator(t, st)
	stops := metadata[openai.SpeechStopped](items)
	require.Len(t, stops, 1)
	stop := stops[0]
	require.Positive(t, stop.AudioEndMS)
	assert.Equal(t, t0.Add(time.Duration(stop.AudioEndMS)*time.Millisecond), stop.At)
	var ender fd.InputEnder = stop
	assert.Equal(t, stop.At, ender.InputEnd())
}

// Under server_vad a DuplexSession's metrics measure the answer from the
// end of the user's speech: the TurnMetrics' InputEnd is SpeechStopped.At,
// and time to first audio is counted from it.
func TestMetricsUnderServerVADStartAtTheEndOfSpeech(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey(), InputSampleRate: 24000})
	defer st.Close()
	session := fd.NewDuplexSession(st)
	session.Metrics = &fd.MetricsConfig{}
	// The audio was captured in real time over the last 2.5 s; it is sent
	// at once, then the microphone goes on without a sound.
	speech := utterance(24000, 800)
	t0 := time.Now().Add(-time.Duration(len(speech)/48) * time.Millisecond)
	chunks := stampedChunks(speech, 24000, t0)
	src := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		if len(chunks) == 0 {
			<-ctx.Done()
			return fd.Symbol{}, ctx.Err()
		}
		s := chunks[0]
		chunks = chunks[1:]
		return s, nil
	})
	ctx, cancel := context.WithCancel(testCtx(t))
	defer cancel()
	var m fd.TurnMetrics
	var stop openai.SpeechStopped
	sink := fd.SinkFunc(func(_ context.Context, it fd.StreamItem) error {
		if ev, ok := it.(fd.StreamEvent); ok {
			switch d := ev.Data.(type) {
			case fd.TurnMetrics:
				m = d
				cancel()
			case openai.SpeechStopped:
				stop = d
			}
		}
		return nil
	})
	err := session.RunDuplex(ctx, src, sink)
	require.ErrorIs(t, err, context.Canceled)
	require.Equal(t, 1, m.Turn, "one answer measured")
	require.False(t, stop.At.IsZero())
	assert.Equal(t, stop.At, m.InputEnd)
	assert.Equal(t, m.FirstAudio.Sub(stop.At), m.TimeToFirstAudio)
	assert.Positive(t, m.TimeToFirstAudio)
}
