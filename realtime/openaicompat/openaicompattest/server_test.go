package openaicompattest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEcho(t *testing.T) {
	r := openaicompattest.Echo(openaicompattest.Request{Messages: []openaicompattest.Message{
		{Role: "user", Content: []any{map[string]any{"type": "text", "text": "a b"}, map[string]any{"type": "image_url"}}},
		{Role: "assistant", Content: "x"},
	}})
	assert.Equal(t, []string{"You ", "said: ", "a ", "b"}, r.Fragments)
	assert.Equal(t, []string{"You ", "said ", "nothing."}, openaicompattest.Echo(openaicompattest.Request{}).Fragments)
}

func TestServerAnswers(t *testing.T) {
	srv := openaicompattest.NewServer()
	defer srv.Close()
	srv.SetReply(func(openaicompattest.Request) openaicompattest.Reply {
		return openaicompattest.Reply{Fragments: []string{"fixed"}}
	})
	post := func(path, body string) (int, string) {
		resp, err := http.Post(srv.URL()+path, "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	code, body := post("/chat/completions", `{"messages":[{"role":"user","content":"hi"}]}`)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"content":"fixed"`)
	code, _ = post("/nope", `{}`)
	assert.Equal(t, 404, code)
	code, _ = post("/chat/completions", `{`)
	assert.Equal(t, 400, code)
	code, body = post("/chat/completions", `{"stream":true,"messages":[]}`)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, "data: [DONE]")
	assert.Len(t, srv.Requests(), 2, "only well-formed requests are recorded")
}
