package conformance_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"google.golang.org/genai"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
)

// ask is the README's one-question agent, exactly as a user writes it: it
// knows nothing of the backend. RunDuplex returns when the model has
// answered, because the Source's end closes the input (CloseSend).
func ask(ctx context.Context, stream fd.DuplexStream, question string) (string, error) {
	var answer strings.Builder
	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(_ context.Context, s fd.Symbol) error {
		if t, ok := s.TextValue(); ok && s.Role() != fd.RoleUser {
			answer.WriteString(t)
		}
		return nil
	}
	err := session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol(question)), nil)
	return answer.String(), err
}

// The same agent finishes on the fake, on Gemini Live (geminitest, audio
// answers with transcripts and text answers) and on a turn model made live.
func TestAskFinishesOnEveryBackend(t *testing.T) {
	backends := []struct {
		name string
		open func(t *testing.T) fd.DuplexStream
		want string
	}{
		{"FakeStream", func(t *testing.T) fd.DuplexStream {
			fs := fullduplextest.NewFakeStream()
			fs.EmitAfterInput(fd.TextSymbol("echo: weather?"), fd.NewEvent(fd.EventStreamEnd, nil))
			return fs
		}, "echo: weather?"},
		{"gemini audio answer", func(t *testing.T) fd.DuplexStream {
			srv := geminitest.New(t, geminitest.Options{Echo: true})
			return gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
		}, "echo: weather?"},
		{"gemini text answer", func(t *testing.T) fd.DuplexStream {
			srv := geminitest.New(t, geminitest.Options{Echo: true})
			return gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey(),
				ResponseModalities: []genai.Modality{genai.ModalityText}})
		}, "echo: weather?"},
		{"realtime", func(t *testing.T) fd.DuplexStream {
			return realtime.NewStream(realtimetest.NewModel(), realtime.Config{})
		}, "You said: weather?"},
	}
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			stream := b.open(t)
			defer stream.Close()
			answer, err := ask(ctx, stream, "weather?")
			if err != nil {
				t.Fatalf("ask: %v", err)
			}
			if answer != b.want {
				t.Fatalf("answer %q, want %q", answer, b.want)
			}
		})
	}
}
