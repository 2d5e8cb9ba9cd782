package openaicompat_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A realtime.Stream over the HTTP backend: an answer cut off mid-stream
// stays in the conversation only as far as it was received.
func TestRealtimeStreamOverHTTP(t *testing.T) {
	srv := server(t)
	srv.Enqueue(openaicompattest.Reply{Fragments: []string{"Once ", "upon"}, Hang: true})
	st := realtime.NewStream(openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}), realtime.Config{})
	defer st.Close()
	ctx := ctxT(t)
	require.NoError(t, st.Connect(ctx))
	next := func() fd.StreamItem {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		return it
	}
	assert.Equal(t, fd.EventConnected, next().(fd.StreamEvent).Type)

	require.NoError(t, st.Send(ctx, fd.TextSymbol("story")))
	s := next().(fd.Symbol)
	assert.Equal(t, "Once ", string(s.Data))
	require.NoError(t, st.Send(ctx, fd.TextSymbol("no, a joke"))) // a new turn cuts the answer off
	for {
		if ev, ok := next().(fd.StreamEvent); ok && ev.Type == fd.EventInterrupt {
			break
		}
	}
	var answer string
	var usage []fd.Usage
	for {
		it := next()
		if ev, ok := it.(fd.StreamEvent); ok {
			if ev.Type == fd.EventUsage {
				usage = append(usage, ev.Data.(fd.Usage))
				continue
			}
			require.Equal(t, fd.EventStreamEnd, ev.Type, "%v", ev.Data)
			break
		}
		answer += string(it.(fd.Symbol).Data)
	}
	assert.Equal(t, "You said: no, a joke", answer)
	assert.Equal(t, []fd.Usage{{InputTokens: 5, OutputTokens: 5, TotalTokens: 10}}, usage, "the usage comes before the end of the turn")
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []openaicompattest.Message{
		{Role: "user", Content: "story"},
		{Role: "assistant", Content: "Once "},
		{Role: "user", Content: "no, a joke"},
	}, reqs[1].Messages)
}
