package conformance_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
)

// The checker catches each way a backend has broken the grammar.
func TestCheckRejectsBrokenGrammar(t *testing.T) {
	model := func(text string, turn int) fd.Symbol {
		s := fd.TextSymbol(text)
		s.Metadata = map[string]any{fd.MetaRole: fd.RoleModel, fd.MetaTurn: turn}
		return s
	}
	ev := func(t fd.EventType) fd.StreamEvent { return fd.NewEvent(t, nil) }
	one := conformance.Case{Turns: []conformance.Turn{{Text: []string{"hi"}, Usage: true}}}
	cut := conformance.Case{Turns: []conformance.Turn{{Text: []string{"hi there"}, Interrupted: true}, {Text: []string{"ok"}}}}
	tests := []struct {
		name  string
		c     conformance.Case
		items []fd.StreamItem
		want  string
	}{
		{"usage after the end", one, []fd.StreamItem{model("hi", 1), ev(fd.EventStreamEnd), ev(fd.EventUsage)}, "usage after the last turn's terminator"},
		{"no usage", one, []fd.StreamItem{model("hi", 1), ev(fd.EventStreamEnd)}, "usage is missing"},
		{"interrupt then end", cut, []fd.StreamItem{model("hi", 1), ev(fd.EventInterrupt), ev(fd.EventStreamEnd), model("ok", 2), ev(fd.EventStreamEnd)}, "3 terminators for 2 turns"},
		{"late audio of a cut turn", cut, []fd.StreamItem{model("hi", 1), ev(fd.EventInterrupt), model(" there", 1), model("ok", 2), ev(fd.EventStreamEnd)}, "mixes MetaTurn"},
		{"wrong text", one, []fd.StreamItem{model("ho", 1), ev(fd.EventUsage), ev(fd.EventStreamEnd)}, `says "ho", want "hi"`},
		{"output after the end", one, []fd.StreamItem{model("hi", 1), ev(fd.EventUsage), ev(fd.EventStreamEnd), model("!", 1)}, "after the last turn's terminator"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := conformance.Check(conformance.Backend{NoAudio: true}, tc.c, tc.items)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	ok := []fd.StreamItem{model("hi", 1), ev(fd.EventUsage), ev(fd.EventStreamEnd)}
	assert.NoError(t, conformance.Check(conformance.Backend{NoAudio: true}, one, ok))
}
