package openaicompat_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
)

// The request asks for the token count; the server's usage chunk becomes
// one EventUsage after the text.
func TestUsageFromTheStream(t *testing.T) {
	srv := server(t)
	prompt := []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("two words"))}
	out, usages, err := runUsage(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"You ", "said: ", "two ", "words"}, out)
	assert.Equal(t, []fd.Usage{{InputTokens: 2, OutputTokens: 4, TotalTokens: 6}}, usages)
	assert.Equal(t, map[string]any{"include_usage": true}, srv.Requests()[0].Body["stream_options"])

	_, usages, err = runUsage(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL(), NoUsage: true}), prompt)
	require.NoError(t, err)
	assert.Empty(t, usages)
	assert.NotContains(t, srv.Requests()[1].Body, "stream_options")
}

// Usage sent with the finish reason (llama.cpp) and with null in the other
// chunks (OpenAI), with cached and reasoning detail; and the usage of a
// response that was not streamed.
func TestUsageShapes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/json/chat/completions" {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"choices":[{"message":{"content":"whole"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":1,"total_tokens":8}}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, `data: {"choices":[{"delta":{"content":"hi"}}],"usage":null}`+"\n\n"+
			`data: {"choices":[{"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":3,"total_tokens":13,"prompt_tokens_details":{"cached_tokens":6},"completion_tokens_details":{"reasoning_tokens":2}}}`+"\n\n"+
			"data: [DONE]\n\n")
	}))
	defer srv.Close()
	prompt := []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))}
	out, usages, err := runUsage(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"hi"}, out)
	assert.Equal(t, []fd.Usage{{InputTokens: 10, OutputTokens: 3, TotalTokens: 13, CachedTokens: 6, ThoughtsTokens: 2}}, usages)

	out, usages, err = runUsage(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL + "/json"}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"whole"}, out)
	assert.Equal(t, []fd.Usage{{InputTokens: 7, OutputTokens: 1, TotalTokens: 8}}, usages)
}
