package openaicompat_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
)

// Every shape in which a real server reports an error becomes an
// HTTPError carrying the server's message.
func TestServerErrorShapes(t *testing.T) {
	const okChunk = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		frags       []string
		wantStatus  int
		wantMsg     string
	}{
		{"OpenAI error object", 400, "application/json", `{"error":{"message":"max_tokens is too large","type":"invalid_request_error"}}`, nil, 400, "max_tokens is too large"},
		{"error as a string", 500, "application/json", `{"error":"model not loaded"}`, nil, 500, "model not loaded"},
		{"vLLM error response", 400, "application/json", `{"object":"error","message":"This model's maximum context length is 4096 tokens","type":"BadRequestError","param":null,"code":400}`, nil, 400, "This model's maximum context length is 4096 tokens"},
		{"llama.cpp error body", 503, "application/json", `{"error":{"code":503,"message":"Loading model","type":"unavailable_error"}}`, nil, 503, "Loading model"},
		{"plain text body", 502, "text/html", "  <h1>Bad Gateway</h1>\n", nil, 502, "<h1>Bad Gateway</h1>"},
		{"empty body", 429, "", "", nil, 429, "Too Many Requests"},
		{"SSE error: line (older llama.cpp)", 200, "text/event-stream", okChunk + "error: {\"code\":500,\"message\":\"the slot was cancelled\",\"type\":\"server_error\"}\n\n", []string{"a"}, 0, "the slot was cancelled"},
		{"SSE error: line of plain text", 200, "text/event-stream", okChunk + "error: out of memory\n\n", []string{"a"}, 0, "out of memory"},
		{"SSE event: error", 200, "text/event-stream", okChunk + "event: error\ndata: {\"error\":{\"message\":\"overloaded\"}}\n\n", []string{"a"}, 0, "overloaded"},
		{"error object in a data chunk", 200, "text/event-stream", okChunk + "data: {\"error\":{\"message\":\"context overflow\"}}\n\n", []string{"a"}, 0, "context overflow"},
		{"error string in a data chunk", 200, "text/event-stream", okChunk + "data: {\"error\":\"generation failed\"}\n\n", []string{"a"}, 0, "generation failed"},
		{"vLLM error in a data chunk", 200, "text/event-stream", okChunk + "data: {\"object\":\"error\",\"message\":\"request aborted\",\"code\":500}\n\n", []string{"a"}, 0, "request aborted"},
		{"error in a non-streamed response", 200, "application/json", `{"object":"error","message":"no stream, no luck"}`, nil, 0, "no stream, no luck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tt.contentType != "" {
					w.Header().Set("Content-Type", tt.contentType)
				}
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			out, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
			assert.Equal(t, tt.frags, out)
			var he *openaicompat.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.wantStatus, he.StatusCode)
			assert.Equal(t, tt.wantMsg, he.Message)
		})
	}
}

// A body that echoes the Authorization header across the point where the
// message is cut leaves no part of the key: redaction comes first.
func TestRedactionBeforeTruncation(t *testing.T) {
	for _, at := range []int{480, 495, 499, 500} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, strings.Repeat("x", at)+r.Header.Get("Authorization")+strings.Repeat("y", 200))
		}))
		_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL, APIKey: testKey}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
		srv.Close()
		require.Error(t, err)
		for n := 4; n <= len(testKey); n++ {
			require.NotContains(t, err.Error(), testKey[:n], "the key's first %d bytes, cut at %d", n, at)
		}
		var he *openaicompat.HTTPError
		require.ErrorAs(t, err, &he)
		assert.LessOrEqual(t, len(he.Message), 500+len("…"))
	}
}

// A line without an end is refused once it is too long, not read into
// memory without limit.
func TestEndlessLineIsRefused(t *testing.T) {
	defer openaicompat.SetMaxEvent(64 << 10)()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: ")
		chunk := strings.Repeat("z", 16<<10)
		for range 100 { // 1.6 MB without a newline
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	assert.ErrorContains(t, err, "longer than")
}
