package openaitest_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// client is a bare websocket client of the fake, speaking raw events.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

func dial(t *testing.T, srv *openaitest.Server, key string) (*client, *http.Response, error) {
	h := http.Header{"Authorization": {"Bearer " + key}}
	ws, resp, err := websocket.DefaultDialer.Dial(srv.URL()+"/realtime?model=gpt-realtime", h)
	if err != nil {
		return nil, resp, err
	}
	t.Cleanup(func() { _ = ws.Close() })
	c := &client{t, ws}
	require.Equal(t, "session.created", c.read()["type"])
	return c, resp, nil
}

func (c *client) send(ev map[string]any) {
	require.NoError(c.t, c.ws.WriteJSON(ev))
}

func (c *client) read() map[string]any {
	_ = c.ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	var m map[string]any
	require.NoError(c.t, c.ws.ReadJSON(&m))
	return m
}

// until reads until an event of type typ.
func (c *client) until(typ string) map[string]any {
	for {
		m := c.read()
		if m["type"] == typ {
			return m
		}
	}
}

func code(m map[string]any) string { return m["error"].(map[string]any)["code"].(string) }

func TestRefusesBadKeyAndPath(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	_, resp, err := dial(t, srv, "wrong")
	require.Error(t, err)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
}

// Like the service: unknown session fields and a model change are refused.
func TestSessionUpdateValidation(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	c, _, err := dial(t, srv, srv.APIKey())
	require.NoError(t, err)
	c.send(map[string]any{"type": "session.update", "event_id": "e1", "session": map[string]any{"type": "realtime", "temperature": 0.8}})
	m := c.until("error")
	assert.Equal(t, "unknown_parameter", code(m))
	assert.Equal(t, "e1", m["error"].(map[string]any)["event_id"])
	c.send(map[string]any{"type": "session.update", "session": map[string]any{"type": "realtime", "model": "other"}})
	c.until("error")
	c.send(map[string]any{"type": "session.update", "session": map[string]any{"type": "realtime", "instructions": "hi",
		"audio": map[string]any{"input": map[string]any{"turn_detection": nil}}}})
	m = c.until("session.updated")
	assert.Equal(t, "hi", m["session"].(map[string]any)["instructions"])
}

// Truncation past the audio the server sent is refused, as by the service;
// at or before it, it is done.
func TestTruncateValidation(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: [][]byte{openaitest.Tone(300, 24000, 100), openaitest.Tone(300, 24000, 100)}, Text: []string{"a", "b"}})
	c, _, err := dial(t, srv, srv.APIKey())
	require.NoError(t, err)
	c.send(map[string]any{"type": "response.create"})
	done := c.until("response.done")
	item := done["response"].(map[string]any)["output"].([]any)[0].(map[string]any)["id"].(string)
	c.send(map[string]any{"type": "conversation.item.truncate", "item_id": item, "content_index": 0, "audio_end_ms": 201})
	m := c.until("error")
	assert.Equal(t, "invalid_value", code(m))
	c.send(map[string]any{"type": "conversation.item.truncate", "item_id": item, "content_index": 0, "audio_end_ms": 150})
	m = c.until("conversation.item.truncated")
	assert.EqualValues(t, 150, m["audio_end_ms"])
	conn := srv.Conns()[0]
	assert.Equal(t, 150, conn.Items()[0]["audio_ms"])
}

// Commit of too little audio, cancel with nothing active, and a second
// response.create during a response are refused with the service's codes.
func TestProtocolErrors(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Text: []string{"a"}, Hang: true})
	c, _, err := dial(t, srv, srv.APIKey())
	require.NoError(t, err)
	c.send(map[string]any{"type": "input_audio_buffer.append", "audio": base64.StdEncoding.EncodeToString(make([]byte, 480))})
	c.send(map[string]any{"type": "input_audio_buffer.commit"})
	assert.Equal(t, "input_audio_buffer_commit_empty", code(c.until("error")))
	c.send(map[string]any{"type": "response.cancel"})
	assert.Equal(t, "response_cancel_not_active", code(c.until("error")))
	c.send(map[string]any{"type": "response.create"})
	c.until("response.output_audio_transcript.delta")
	c.send(map[string]any{"type": "response.create"})
	assert.Equal(t, "conversation_already_has_active_response", code(c.until("error")))
	c.send(map[string]any{"type": "response.cancel"})
	done := c.until("response.done")
	assert.Equal(t, "cancelled", done["response"].(map[string]any)["status"])
	c.send(map[string]any{"type": "conversation.item.create", "item": map[string]any{"type": "function_call_output", "call_id": "nope", "output": "{}"}})
	assert.Equal(t, "invalid_value", code(c.until("error")))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	evs, err := srv.Conns()[0].WaitCount(ctx, openaitest.IsType("response.create"), 2)
	require.NoError(t, err)
	assert.Len(t, evs, 2, "every client event is recorded")
}

// The echo model answers typed text with "echo: TEXT", as audio and
// transcript; a client secret opens a session.
func TestEchoAndClientSecret(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	req, _ := http.NewRequest(http.MethodPost, "http"+srv.URL()[2:]+"/realtime/client_secrets", nil)
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	req.Body = http.NoBody
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "no JSON body")

	body := `{"expires_after":{"anchor":"created_at","seconds":60}}`
	req, _ = http.NewRequest(http.MethodPost, "http"+srv.URL()[2:]+"/realtime/client_secrets", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+srv.APIKey())
	resp2, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp2.Body.Close()
	var sec struct{ Value string }
	require.NoError(t, json.NewDecoder(resp2.Body).Decode(&sec))
	c, _, err := dial(t, srv, sec.Value)
	require.NoError(t, err)
	c.send(map[string]any{"type": "conversation.item.create", "item": map[string]any{"type": "message", "role": "user",
		"content": []any{map[string]any{"type": "input_text", "text": "hi"}}}})
	c.send(map[string]any{"type": "response.create"})
	m := c.until("response.output_audio_transcript.done")
	assert.Equal(t, "echo: hi", m["transcript"])
}
