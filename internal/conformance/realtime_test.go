package conformance_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
)

// realtime.Stream cuts a turn only on the client's InterruptOutput (or on
// speech, which the table does not send), so every backend below sets
// ClientInterrupts. An interrupted turn's scripted answer hangs after its
// parts, like a model in the middle of a long answer.

// openRealtime returns a connected realtime.Stream over model, closed when
// the test ends (Run closes it too; Close is idempotent).
func openRealtime(t *testing.T, model realtime.TurnModel) fd.DuplexStream {
	st := realtime.NewStream(model, realtime.Config{})
	t.Cleanup(func() { _ = st.Close() })
	require(t, st.Connect(t.Context()))
	return st
}

// The scripted TurnModel: audio, text and usage as scripted.
func TestRealtimeOverRealtimetest(t *testing.T) {
	conformance.Run(t, conformance.Backend{ClientInterrupts: true, Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		m := realtimetest.NewModel()
		for _, turn := range c.Turns {
			var parts []fd.Symbol
			for range turn.Audio {
				parts = append(parts, fd.AudioSymbol(make([]byte, 960), 24000))
			}
			for _, text := range turn.Text {
				parts = append(parts, fd.TextSymbol(text))
			}
			sc := realtimetest.Script{Parts: parts, Hang: turn.Interrupted}
			if turn.Usage {
				sc.Usage = &fd.Usage{InputTokens: 3, OutputTokens: len(parts), TotalTokens: 3 + len(parts)}
			}
			m.Script(sc)
		}
		return openRealtime(t, m)
	}})
}

// An OpenAI-compatible server answers with text only (NoAudio); its usage
// comes from the usage chunk the request asks for.
func TestRealtimeOverOpenAICompatible(t *testing.T) {
	conformance.Run(t, conformance.Backend{ClientInterrupts: true, NoAudio: true, Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		srv := openaicompattest.NewServer()
		t.Cleanup(srv.Close)
		for _, turn := range c.Turns {
			srv.Enqueue(openaicompattest.Reply{Fragments: turn.Text, Hang: turn.Interrupted})
		}
		return openRealtime(t, openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}))
	}})
}

// Gemini's generateContent through the real genai SDK: inline audio,
// text, and the usageMetadata of the last chunk.
func TestRealtimeOverGeminiTurn(t *testing.T) {
	conformance.Run(t, conformance.Backend{ClientInterrupts: true, Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		srv := geminiturntest.NewServer()
		t.Cleanup(srv.Close)
		for _, turn := range c.Turns {
			var parts []geminiturntest.Part
			for range turn.Audio {
				parts = append(parts, geminiturntest.Part{InlineData: &geminiturntest.InlineData{MIMEType: "audio/pcm;rate=24000", Data: make([]byte, 960)}})
			}
			for _, text := range turn.Text {
				parts = append(parts, geminiturntest.Part{Text: text})
			}
			srv.Enqueue(geminiturntest.Reply{Parts: parts, Hang: turn.Interrupted})
		}
		m, err := geminiturn.New(geminiturn.Config{BaseURL: srv.URL(), APIKey: "conformance-key"})
		require(t, err)
		return openRealtime(t, m)
	}})
}
