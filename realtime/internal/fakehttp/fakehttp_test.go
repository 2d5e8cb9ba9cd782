package fakehttp_test

import (
	"io"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex/realtime/internal/fakehttp"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestScriptRepliesInOrderThenFallback(t *testing.T) {
	s := fakehttp.NewScript(func(req string) string { return "echo " + req })
	s.Enqueue("first", "second")
	assert.Equal(t, "first", s.Next("a"))
	assert.Equal(t, "second", s.Next("b"))
	assert.Equal(t, "echo c", s.Next("c"))
	s.SetFallback(func(string) string { return "fixed" })
	assert.Equal(t, "fixed", s.Next("d"))
	assert.Equal(t, []string{"a", "b", "c", "d"}, s.Requests())
}

// An SSE body as a client reads it, and a hanging answer that Close ends.
func TestSSEAndHang(t *testing.T) {
	var srv *fakehttp.Server
	srv = fakehttp.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sse := fakehttp.StartSSE(w, "\r\n")
		sse.Comment("hi")
		sse.Data(map[string]int{"n": 1})
		sse.Field("error", "bad")
		if r.URL.Path == "/hang" {
			srv.Hang(r)
		}
	}))
	resp, err := http.Get(srv.URL())
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, "text/event-stream", resp.Header.Get("Content-Type"))
	assert.Equal(t, ": hi\r\n\r\ndata: {\"n\":1}\r\n\r\nerror: bad\r\n\r\n", string(body))

	resp, err = http.Get(srv.URL() + "/hang")
	require.NoError(t, err)
	defer resp.Body.Close()
	closed := make(chan struct{})
	go func() { srv.Close(); close(closed) }() // ends the hanging answer; the body then ends
	_, err = io.ReadAll(resp.Body)
	assert.NoError(t, err)
	<-closed
}
