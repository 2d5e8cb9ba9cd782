package conformance_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	req "github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// What the session's metrics take from each backend, checked with the real
// streams against their fakes: the end of a turn the service's voice
// detection ended, the start of a reconnect, and a reconnect's cut.

// speechSource yields half a second of quiet, speech of speechMS, 1.2 s of
// quiet, in 20 ms chunks at rate, and then nothing (it never ends, so the
// session never calls SendEnd or CloseSend: only the service ends the turn).
func speechSource(rate, speechMS int) fd.Source {
	var s []int16
	s = pcm.AppendNoise(s, 0.0005, rate/2, 1)
	tone := pcm.AppendTone(nil, 220, 0.3, rate, rate*speechMS/1000)
	s = append(s, pcm.Mix(tone, pcm.AppendNoise(nil, 0.0005, len(tone), 2))...)
	s = pcm.AppendNoise(s, 0.0005, rate*1200/1000, 3)
	data := pcm.EncodeInt16(nil, s)
	chunk := rate / 50 * 2
	return fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		if len(data) == 0 {
			<-ctx.Done()
			return fd.Symbol{}, ctx.Err()
		}
		n := min(chunk, len(data))
		sym := fd.AudioSymbol(data[:n], rate)
		data = data[n:]
		return sym, nil
	})
}

// serverVADTurn runs one spoken turn over stream with metrics on and
// returns its TurnMetrics and everything delivered.
func serverVADTurn(t *testing.T, stream fd.DuplexStream, rate int) (fd.TurnMetrics, []fd.StreamItem) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	session := fd.NewDuplexSession(stream)
	session.Metrics = &fd.MetricsConfig{}
	session.MaxTurns = 1
	sink := &scripttest.Sink{}
	req.NoError(t, session.RunDuplex(ctx, speechSource(rate, 800), sink))
	m, _ := sink.WaitMetrics(t, 0)
	return m, sink.Items()
}

// measuredFrom checks that m's input end is the one report the backend
// made (reports holds the moments they name) and its time to first audio
// counts from it.
func measuredFrom(t *testing.T, m fd.TurnMetrics, reports []time.Time) {
	t.Helper()
	req.Len(t, reports, 1)
	assert.Equal(t, reports[0], m.InputEnd)
	assert.True(t, m.ServerInputEnd)
	req.False(t, m.FirstAudio.IsZero())
	assert.Equal(t, m.FirstAudio.Sub(reports[0]), m.TimeToFirstAudio)
	assert.Positive(t, m.TimeToFirstAudio)
}

// OpenAI's server_vad: the turn is measured from the end of speech the
// SpeechStopped event names (input_audio_buffer.speech_stopped's
// audio_end_ms, dated to when that audio was captured, before the event
// arrives), not from the transcript after it.
func TestMetricsOfAnOpenAIServerVADTurn(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	m, items := serverVADTurn(t, openOpenAI(t, srv, openai.Config{}), 16000)
	var stopped []time.Time
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok {
			if ss, ok := ev.Data.(openai.SpeechStopped); ok {
				req.False(t, ss.At.IsZero(), "the stream dates the end of speech")
				assert.True(t, ss.At.Before(ev.Timestamp), "speech ended before the service said so")
				stopped = append(stopped, ss.At)
			}
		}
	}
	measuredFrom(t, m, stopped)
}

// Gemini's automatic activity detection: the turn is measured from the
// finished input transcription that comes before the answer.
func TestMetricsOfAGeminiServerVADTurn(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true, NoResumptionUpdates: true})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	t.Cleanup(func() { _ = st.Close() })
	m, items := serverVADTurn(t, st, 16000)
	var heard []time.Time
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Role() == fd.RoleUser {
			if final, _ := s.Metadata[fd.MetaFinal].(bool); final {
				heard = append(heard, s.Timestamp)
			}
		}
	}
	measuredFrom(t, m, heard)
}

// An OpenAI connection closed mid-answer: the cut answer is interrupted by
// the reconnect, which is no barge-in; the reconnect's gap runs from when
// the stream found the connection lost to the first model item of the new
// one.
func TestMetricsOfAnOpenAIReconnectMidAnswer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	srv.Script(openaitest.Reply{Text: []string{"part", " rest"}, Hang: true})
	st := openOpenAI(t, srv, openai.Config{})
	session := fd.NewDuplexSession(st)
	session.Metrics = &fd.MetricsConfig{}
	sink := &scripttest.Sink{}
	src := make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, sink) }()

	src <- fd.TextSymbol("q")
	for n := 1; ; n++ { // the first part of the answer
		if s, ok := sink.WaitItems(t, n)[n-1].(fd.Symbol); ok && s.Role() == fd.RoleModel {
			break
		}
	}
	first, err := srv.WaitConn(ctx, 0)
	req.NoError(t, err)
	req.NoError(t, first.CloseWith(1011, "session expired"))
	m1, n := sink.WaitMetrics(t, 0)
	assert.True(t, m1.Interrupted)
	assert.True(t, m1.ReconnectCut)
	assert.Zero(t, m1.BargeIn)

	ev, n := sink.WaitEvent(t, n, fd.EventReconnect)
	info := ev.Data.(openai.ReconnectInfo)
	src <- fd.TextSymbol("next")
	m2, _ := sink.WaitMetrics(t, n)
	close(src)
	req.NoError(t, <-done)

	var firstAfter time.Time
	for _, it := range sink.Items()[n:] {
		if s, ok := it.(fd.Symbol); ok && s.Role() == fd.RoleModel {
			firstAfter = s.Timestamp
			break
		}
	}
	req.Len(t, m2.Reconnects, 1)
	rc := m2.Reconnects[0]
	assert.False(t, info.Began.IsZero())
	assert.Equal(t, info.Began, rc.Began, "from the connection found lost")
	assert.Equal(t, ev.Timestamp, rc.At)
	assert.Equal(t, firstAfter, rc.First)
	assert.Equal(t, firstAfter.Sub(info.Began), rc.Gap)
	sum := sink.Summary(t)
	assert.Equal(t, 1, sum.ReconnectCuts)
	assert.Zero(t, sum.BargeIns)
	assert.Equal(t, 1, sum.Reconnects)
}
