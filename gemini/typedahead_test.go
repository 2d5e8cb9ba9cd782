package gemini_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// texts returns the text turns connection c has received, in order.
func texts(c *geminitest.Conn) []string {
	var out []string
	for _, m := range c.Messages() {
		if geminitest.IsClientContent(m) {
			txt, _ := m.Text()
			out = append(out, txt)
		}
	}
	return out
}

// Typed-ahead on a service whose answer starts late: a text turn sent
// before the model has begun answering the previous one waits for that
// answer's terminator (on the real service a new clientContent would cut
// the answer before it began); text sent while the answer streams goes out
// at once (barge-in).
func TestTypedAheadWaitsForTheOwedAnswer(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("one")))
	_, err := c.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("two")), "a held turn is accepted")

	// Audio is never held: once the server has it, "two" would have
	// arrived before it had it been sent.
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	_, err = c.WaitFor(ctx, geminitest.IsAudio)
	require.NoError(t, err)
	assert.Equal(t, []string{"one"}, texts(c), `"two" waits while the answer to "one" has not started`)

	// The answer starts late, then ends: "two" goes out.
	require.NoError(t, c.SendOutputTranscription("answer one", true))
	symbol(t, next(t, st))
	require.NoError(t, c.SendTurnComplete())
	eventOf(t, next(t, st), fullduplex.EventStreamEnd)
	_, err = c.WaitCount(ctx, geminitest.IsClientContent, 2)
	require.NoError(t, err)
	assert.Equal(t, []string{"one", "two"}, texts(c))

	// While the answer to "two" streams, text is barge-in and goes at once.
	require.NoError(t, c.SendOutputTranscription("answer two", false))
	symbol(t, next(t, st))
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("three")))
	_, err = c.WaitCount(ctx, geminitest.IsClientContent, 3)
	require.NoError(t, err, "text during the answer is not held")
	assert.Equal(t, []string{"one", "two", "three"}, texts(c))
}

// Held turns that CloseSend finds are still sent and answered, in order,
// before Receive returns io.EOF.
func TestTypedAheadThenCloseSend(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, textOut)
	ctx := waitCtx(t)
	for _, l := range []string{"a", "b", "c"} {
		require.NoError(t, st.Send(ctx, fullduplex.TextSymbol(l)))
	}
	require.NoError(t, st.CloseSend(ctx))
	for i, want := range []string{"a", "b", "c"} {
		_, err := c.WaitCount(ctx, geminitest.IsClientContent, i+1)
		require.NoError(t, err)
		assert.Equal(t, want, texts(c)[i])
		assert.Len(t, texts(c), i+1, "one turn at a time")
		require.NoError(t, c.SendText("re: "+want))
		require.NoError(t, c.SendTurnComplete())
	}
	got, terms := untilEOF(t, st)
	assert.Equal(t, []string{"re: a", "re: b", "re: c"}, got)
	assert.Len(t, terms, 3)
}
