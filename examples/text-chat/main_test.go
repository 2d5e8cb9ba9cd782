package main

import (
	"bytes"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

var backends = []string{"live", "turn", "openai", "openai-compatible"}

// Three lines pasted at once (`printf 'hello\nsecond line\nthird\n' |
// text-chat`), over each backend's offline fake: each line gets its own
// answer, in order, none is interrupted, and the chat ends by itself (nil)
// after the last answer.
func TestPastedLinesAreAnsweredInOrder(t *testing.T) {
	pasted := []string{"hello", "second line", "third"}
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			var log bytes.Buffer
			stream, cleanup, err := newStream(options{backend: backend, offline: true}, &log)
			require.NoError(t, err)
			defer cleanup()
			defer stream.Close()
			assert.Contains(t, log.String(), "Offline mode")

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			var out bytes.Buffer
			in, allTyped := pastedLines(pasted...)
			// What is printed waits until every line has been typed: the
			// lines arrive before any answer has begun, as from a paste.
			err = chat(ctx, stream, in, gate{allTyped, &console.Transcript{W: &out}}, nil)
			require.NoError(t, err, "the chat ends by itself after the last answer; output:\n%s", out.String())

			assert.NotContains(t, out.String(), "[interrupted]")
			answers := modelLines(out.String())
			require.Len(t, answers, 3, "one answer per line; output:\n%s", out.String())
			for i, line := range pasted {
				assert.Contains(t, answers[i], line, "answer %d", i+1)
				for j, other := range pasted {
					if j != i && !strings.Contains(line, other) {
						assert.NotContains(t, answers[i], other, "answer %d holds only its own line", i+1)
					}
				}
			}
		})
	}
}

// A line typed while an answer streams cuts it off: the chat code calls
// the session's Interrupt (once), and the cut answer ends with
// [interrupted]. The stream is a scripted fake whose first answer never
// ends by itself; the second input releases the cut turn's terminator, as
// a backend sends it, and the next answer.
func TestTypingOverAnAnswerCutsItOff(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	model := func(text string, turn int) fullduplex.Symbol {
		s := fullduplex.TextSymbol(text)
		s.Metadata = map[string]any{fullduplex.MetaRole: fullduplex.RoleModel, fullduplex.MetaTurn: turn}
		return s
	}
	fs.EmitAfterInput(model("a long story that goes on", 1)) // and on: no terminator
	fs.EmitAfterInput(fullduplex.NewEvent(fullduplex.EventInterrupt, nil), model("ok", 2), fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	streaming := make(chan struct{})
	step := 0
	typed := fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		step++
		switch step {
		case 1:
			return fullduplex.TextSymbol("tell me a story"), nil
		case 2:
			select { // the user types again while the story streams
			case <-streaming:
			case <-ctx.Done():
				return fullduplex.Symbol{}, ctx.Err()
			}
			return fullduplex.TextSymbol("stop"), nil
		}
		return fullduplex.Symbol{}, io.EOF
	})
	var out bytes.Buffer
	tr := &console.Transcript{W: &out}
	// The chat has seen the story by the time it is printed.
	sink := fullduplex.SinkFunc(func(ctx context.Context, item fullduplex.StreamItem) error {
		err := tr.Write(ctx, item)
		if s, ok := item.(fullduplex.Symbol); ok && strings.HasPrefix(string(s.Data), "a long story") {
			close(streaming)
		}
		return err
	})
	require.NoError(t, chat(ctx, fs, typed, sink, nil))
	assert.Equal(t, 1, fs.Interrupts(), "typing over the answer interrupts it once")
	assert.Equal(t, "model: a long story that goes on\n  [interrupted]\nmodel: ok\n", out.String())
}

func TestUnknownBackend(t *testing.T) {
	_, cleanup, err := newStream(options{backend: "carrier-pigeon"}, io.Discard)
	defer cleanup()
	require.ErrorContains(t, err, `unknown -backend "carrier-pigeon"`)
}

// pastedLines yields lines, then io.EOF; allTyped is closed once every line
// has been handed to the chat (when it asks for the next one).
func pastedLines(lines ...string) (fullduplex.Source, <-chan struct{}) {
	allTyped := make(chan struct{})
	i := 0
	return fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		if i == len(lines) {
			close(allTyped)
			i++
		}
		if i > len(lines) {
			return fullduplex.Symbol{}, io.EOF
		}
		i++
		return fullduplex.TextSymbol(lines[i-1]), nil
	}), allTyped
}

// gate is a Sink that holds everything back until open is closed.
type gate struct {
	open <-chan struct{}
	sink fullduplex.Sink
}

func (g gate) Write(ctx context.Context, item fullduplex.StreamItem) error {
	select {
	case <-g.open:
	case <-ctx.Done():
		return ctx.Err()
	}
	return g.sink.Write(ctx, item)
}

// modelLines returns the model's lines of a transcript.
func modelLines(transcript string) []string {
	return regexp.MustCompile(`(?m)^model: (.*)$`).FindAllString(transcript, -1)
}
