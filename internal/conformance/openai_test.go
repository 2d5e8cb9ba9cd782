package conformance_test

import (
	"context"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// The real openai.Stream against openaitest on loopback, the server playing
// each turn in the service's shapes: output audio deltas with transcript
// deltas (or output text deltas), then response.done with the usage. A cut
// turn is cut by the server, as server_vad does when the user speaks: its
// first delta, input_audio_buffer.speech_started, then response.done with
// status "cancelled".
func TestOpenAI(t *testing.T) {
	conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		srv := openaitest.New(t, openaitest.Options{})
		for _, turn := range c.Turns {
			srv.Script(reply(turn))
		}
		return openOpenAI(t, srv, openai.Config{})
	}})
}

// The same table with text answers (output_modalities ["text"]).
func TestOpenAITextOnly(t *testing.T) {
	conformance.Run(t, conformance.Backend{NoAudio: true, Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		srv := openaitest.New(t, openaitest.Options{})
		for _, turn := range c.Turns {
			srv.Script(reply(turn))
		}
		return openOpenAI(t, srv, openai.Config{TextOnly: true})
	}})
}

func reply(turn conformance.Turn) openaitest.Reply {
	r := openaitest.Reply{Text: turn.Text, BargeIn: turn.Interrupted}
	for range turn.Audio {
		r.Audio = append(r.Audio, openaitest.Tone(300, 24000, 40))
	}
	if turn.Usage {
		r.Usage = &openaitest.Usage{InputTokens: 3, OutputTokens: 5, InputText: 3, OutputText: 5}
	}
	return r
}

func openOpenAI(t *testing.T, srv *openaitest.Server, cfg openai.Config) fd.DuplexStream {
	cfg.BaseURL, cfg.APIKey = srv.URL(), srv.APIKey()
	st := openai.NewStream(cfg)
	t.Cleanup(func() { _ = st.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require(t, st.Connect(ctx))
	if _, err := st.Receive(ctx); err != nil { // EventConnected
		t.Fatal(err)
	}
	return st
}

// The README's one-question agent finishes on OpenAI too.
func TestAskFinishesOnOpenAI(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	stream := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	defer stream.Close()
	answer, err := ask(ctx, stream, "weather?")
	if err != nil {
		t.Fatalf("ask: %v", err)
	}
	if answer != "echo: weather?" {
		t.Fatalf("answer %q, want %q", answer, "echo: weather?")
	}
}
