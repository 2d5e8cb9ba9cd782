package openai_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// The model calls a tool while it speaks: the call comes in its turn,
// before the terminator; the session runs the handler, the result goes back
// as function_call_output and response.create, and the model's next turn
// answers with it. RunDuplex ends after that answer: CloseSend waits for the
// tool result it is owed.
func TestToolCallDuringSpeech(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	srv.Script(openaitest.Reply{
		Text: []string{"let me ", "look"}, Audio: chunks(2, 100),
		ToolCalls: []openaitest.ToolCall{{CallID: "call_1", Name: "weather", Arguments: `{"city":"Paris"}`}},
	})
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	defer st.Close()
	session := fd.NewDuplexSession(st)
	var got map[string]any
	require.NoError(t, session.AddTool(fd.Tool{
		Name: "weather", Description: "the weather in a city",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
		Handler: func(ctx context.Context, args map[string]any) (any, error) {
			got = args
			return map[string]any{"sky": "clear"}, nil
		},
	}))
	rec := &fullduplextest.Recorder{}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol("weather in Paris?")), rec))
	assert.Equal(t, map[string]any{"city": "Paris"}, got)

	evs := rec.Events()
	assert.Equal(t, []fd.EventType{fd.EventConnected, fd.EventToolCall, fd.EventUsage, fd.EventStreamEnd, fd.EventMetadata,
		fd.EventUsage, fd.EventStreamEnd}, withoutMetadataInTurns(evs))
	assert.Contains(t, rec.Text(), `echo: the tool said {"sky":"clear"}`)

	conn, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	var tools []map[string]any
	require.NoError(t, json.Unmarshal(mustJSON(conn.Session()["tools"]), &tools))
	require.Len(t, tools, 1)
	assert.Equal(t, "weather", tools[0]["name"])
	assert.Equal(t, "function", tools[0]["type"])
	var out []openaitest.ClientEvent
	for _, e := range conn.Events() {
		if e.Type == "conversation.item.create" {
			out = append(out, e)
		}
	}
	require.Len(t, out, 2, "the question and the tool output")
	var item map[string]any
	require.NoError(t, out[1].Field("item", &item))
	assert.Equal(t, map[string]any{"type": "function_call_output", "call_id": "call_1", "output": `{"sky":"clear"}`}, item)
}

// withoutMetadataInTurns drops the metadata (transcripts) of turns, keeping
// the one rate_limits.updated between them.
func withoutMetadataInTurns(evs []fd.EventType) []fd.EventType {
	var out []fd.EventType
	for i, e := range evs {
		if e == fd.EventMetadata && (i == 0 || evs[i-1] != fd.EventStreamEnd) {
			continue
		}
		out = append(out, e)
	}
	return out
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
