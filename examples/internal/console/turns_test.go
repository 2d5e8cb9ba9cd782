package console_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func model(text string) fullduplex.Symbol {
	s := fullduplex.TextSymbol(text)
	s.Metadata = map[string]any{fullduplex.MetaRole: fullduplex.RoleModel}
	return s
}

// A line interrupts only an answer that is streaming: lines typed ahead of
// the answers cut nothing, and the output of an answer already cut does
// not count.
func TestTurnsInterruptOnlyAStreamingAnswer(t *testing.T) {
	ctx := context.Background()
	interrupts := 0
	rec := &fullduplextest.Recorder{}
	lines := fullduplextest.SliceSource(fullduplex.TextSymbol("one"), fullduplex.TextSymbol("two"),
		fullduplex.TextSymbol("three"), fullduplex.TextSymbol("four"), fullduplex.TextSymbol("five"), fullduplex.TextSymbol("six"))
	turns := &console.Turns{Source: lines, Sink: rec, Interrupt: func() { interrupts++ }}
	next := func() {
		t.Helper()
		_, err := turns.Next(ctx)
		require.NoError(t, err)
	}
	write := func(item fullduplex.StreamItem) { require.NoError(t, turns.Write(ctx, item)) }

	write(fullduplex.NewEvent(fullduplex.EventConnected, nil))
	next()
	next() // typed ahead: nothing of an answer yet
	assert.Zero(t, interrupts)

	write(model("answer one"))
	write(fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))
	next() // after a finished answer
	assert.Zero(t, interrupts)

	write(model("answer two ..."))
	next() // while it streams: barge-in
	assert.Equal(t, 1, interrupts)
	write(model("... more of the cut answer"))
	next() // the cut answer's terminator has not come yet: nothing more to cut
	assert.Equal(t, 1, interrupts)

	write(fullduplex.NewEvent(fullduplex.EventInterrupt, nil))
	write(model("answer three"))
	next()
	assert.Equal(t, 2, interrupts)
	assert.Equal(t, "answer oneanswer two ...... more of the cut answeranswer three", rec.Text(), "every item reaches the sink")
}
