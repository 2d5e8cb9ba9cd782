package geminiturntest_test

import (
	"bytes"
	"io"
	"net/http"
	"testing"

	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestEcho(t *testing.T) {
	r := geminiturntest.Echo(geminiturntest.Request{Contents: []geminiturntest.Content{
		{Role: "user", Parts: []geminiturntest.Part{{Text: "a"}, {Text: "b"}}},
	}})
	assert.Equal(t, geminiturntest.TextReply("You ", "said: ", "a\nb"), r)
	assert.Equal(t, geminiturntest.TextReply("You ", "said ", "nothing."), geminiturntest.Echo(geminiturntest.Request{}))
}

func TestServer(t *testing.T) {
	srv := geminiturntest.NewServer()
	defer srv.Close()
	post := func(path, body string) (int, string) {
		resp, err := http.Post(srv.URL()+path, "application/json", bytes.NewBufferString(body))
		require.NoError(t, err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(raw)
	}
	code, body := post("/v1beta/models/m:streamGenerateContent?alt=sse", `{"contents":[{"role":"user","parts":[{"text":"hi"}]}]}`)
	assert.Equal(t, 200, code)
	assert.Contains(t, body, `"finishReason":"STOP"`)
	code, _ = post("/v1beta/models/m:generateContent", `{}`)
	assert.Equal(t, 404, code)
	code, _ = post("/v1beta/models/m:streamGenerateContent?alt=sse", `{`)
	assert.Equal(t, 400, code)
	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "m", reqs[0].Model)
}
