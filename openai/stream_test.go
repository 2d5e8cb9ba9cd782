package openai_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// A typed turn is answered by the echo model: audio with its transcript,
// then usage, then EventStreamEnd, all of turn 1.
func TestTextTurnEcho(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{Instructions: "be brief"})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("hello")))
	items := untilTerminator(t, st)
	assert.Equal(t, "echo: hello", modelText(items))
	assert.Positive(t, audioBytes(items))
	u := events(items, fd.EventUsage)
	require.Len(t, u, 1)
	assert.Positive(t, u[0].Data.(fd.Usage).OutputTokens)
	end := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.EventStreamEnd, end.Type)
	assert.Equal(t, fd.TurnEnd{Turn: 1}, end.Data)
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok {
			n, ok := s.Turn()
			assert.True(t, ok)
			assert.Equal(t, 1, n)
		}
	}
	sess := conn.Session()
	assert.Equal(t, "be brief", sess["instructions"])
	assert.Equal(t, openai.DefaultModel, conn.Model())
	require.NoError(t, st.CloseSend(ctx))
	drain(t, st)
}
