package conformance_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
)

// FakeStream plays the table as a test would script it: each turn is an
// EmitAfterInput batch, usage before the terminator.
func TestFakeStream(t *testing.T) {
	conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
		fs := fullduplextest.NewFakeStream()
		require(t, fs.Connect(t.Context()))
		for n, turn := range c.Turns {
			var items []fd.StreamItem
			add := func(s fd.Symbol) {
				s.Metadata = map[string]any{fd.MetaRole: fd.RoleModel, fd.MetaTurn: n + 1}
				items = append(items, s)
			}
			for range turn.Audio {
				add(fd.AudioSymbol(make([]byte, 960), 24000))
			}
			for _, text := range turn.Text {
				add(fd.TextSymbol(text))
			}
			if turn.Usage {
				items = append(items, fd.NewEvent(fd.EventUsage, fd.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8}))
			}
			end := fd.EventStreamEnd
			if turn.Interrupted {
				end = fd.EventInterrupt
			}
			items = append(items, fd.NewEvent(end, fd.TurnEnd{Turn: n + 1}))
			fs.EmitAfterInput(items...)
		}
		return fs
	}})
}

func require(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
