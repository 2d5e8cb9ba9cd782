package conformance_test

import (
	"context"
	"sync"
	"testing"

	"google.golang.org/genai"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
)

// The real gemini.Stream against geminitest on loopback, the server playing
// each turn in the service's shapes: model audio chunks with an output
// transcription (or text parts), then turnComplete and usageMetadata in one
// frame; a cut turn is its first item, {"interrupted": true}, then that
// turnComplete frame.
func TestGemini(t *testing.T) {
	conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		srv := geminitest.New(t, geminitest.Options{NoResumptionUpdates: true})
		st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
		require(t, st.Connect(t.Context()))
		if _, err := st.Receive(t.Context()); err != nil { // EventConnected
			t.Fatal(err)
		}
		conn, err := srv.WaitConn(t.Context(), 0)
		require(t, err)

		ctx, cancel := context.WithCancel(context.Background())
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, turn := range c.Turns {
				if _, err := conn.WaitCount(ctx, geminitest.IsClientContent, i+1); err != nil {
					return
				}
				if playTurn(conn, turn) != nil {
					return
				}
			}
		}()
		t.Cleanup(func() {
			cancel()
			wg.Wait()
		})
		return st
	}})
}

// playTurn sends one scripted turn as the service would.
func playTurn(c *geminitest.Conn, turn conformance.Turn) error {
	var sends []func() error
	for range turn.Audio {
		sends = append(sends, func() error { return c.SendAudio(geminitest.Tone(300, 24000, 40), 24000) })
	}
	for _, text := range turn.Text {
		if turn.Audio > 0 {
			sends = append(sends, func() error { return c.SendOutputTranscription(text, false) })
		} else {
			sends = append(sends, func() error { return c.SendText(text) })
		}
	}
	if turn.Interrupted {
		sends = append(sends[:1], c.SendInterrupted)
	}
	var u *genai.UsageMetadata
	if turn.Usage {
		u = &genai.UsageMetadata{PromptTokenCount: 3, ResponseTokenCount: 5, TotalTokenCount: 8}
	}
	sends = append(sends, func() error { return c.SendTurnCompleteUsage(u) })
	for _, send := range sends {
		if err := send(); err != nil {
			return err
		}
	}
	return nil
}
