package console

import (
	"context"
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
)

// Transcript is a fullduplex.Sink that prints the conversation as it
// happens: what the user said (input transcription), what the model says
// (text and output transcription), and the events that matter to a person
// (interruptions, tool calls, reconnects, errors), and each turn's metrics
// when the session measures them (time to first token and audio, cost).
// Audio is ignored. It is
// written by one goroutine at a time, as every Sink.
type Transcript struct {
	W io.Writer
	// Model names the model on its lines, e.g. "gemini". Default "model".
	Model string
	last  string // role of the line being printed, "" at a line start
}

// Write prints item.
func (t *Transcript) Write(_ context.Context, item fullduplex.StreamItem) error {
	switch it := item.(type) {
	case fullduplex.Symbol:
		text, ok := it.TextValue()
		if !ok {
			return nil
		}
		role := it.Role()
		if role == "" {
			role = fullduplex.RoleModel
		}
		if role != t.last {
			t.newline()
			name := t.Model
			if name == "" {
				name = "model"
			}
			if role == fullduplex.RoleUser {
				name = "you"
			}
			fmt.Fprintf(t.W, "%s: ", name)
			t.last = role
		}
		fmt.Fprint(t.W, text)
	case fullduplex.StreamEvent:
		switch it.Type {
		case fullduplex.EventStreamEnd:
			t.newline()
		case fullduplex.EventInterrupt:
			t.newline()
			fmt.Fprintln(t.W, "  [interrupted]")
		case fullduplex.EventToolCall:
			t.newline()
			c, _ := it.Data.(fullduplex.ToolCall)
			fmt.Fprintf(t.W, "  [tool %s(%v)]\n", c.Name, c.Args)
		case fullduplex.EventReconnect:
			t.newline()
			fmt.Fprintln(t.W, "  [reconnecting]")
		case fullduplex.EventError:
			t.newline()
			fmt.Fprintf(t.W, "  [error: %v]\n", it.Data)
		case fullduplex.EventMetrics:
			t.newline()
			m, _ := it.Data.(fullduplex.TurnMetrics)
			fmt.Fprintln(t.W, "  "+turnLine(m))
		case fullduplex.EventSummary:
			t.newline()
			c, _ := it.Data.(fullduplex.ConversationMetrics)
			fmt.Fprintln(t.W, "  "+summaryLine(c))
		}
	}
	return nil
}

func (t *Transcript) newline() {
	if t.last != "" {
		fmt.Fprintln(t.W)
		t.last = ""
	}
}
