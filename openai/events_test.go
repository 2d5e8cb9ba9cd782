package openai_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// Three lines sent at once get three answers, in order: each waits for the
// answer before it, so the service never sees a response.create while a
// response is active.
func TestPastedTurnsAreAnsweredInOrder(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	lines := []string{"one", "two", "three"}
	for _, l := range lines {
		require.NoError(t, st.Send(ctx, fd.TextSymbol(l)))
	}
	for i, l := range lines {
		items := untilTerminator(t, st)
		assert.Equal(t, "echo: "+l, modelText(items), "answer %d", i+1)
		assert.Equal(t, fd.TurnEnd{Turn: i + 1}, items[len(items)-1].(fd.StreamEvent).Data)
		assert.Empty(t, events(items, fd.EventError))
	}
	require.NoError(t, st.CloseSend(ctx))
	assert.Empty(t, events(drain(t, st), fd.EventError))
	assert.Len(t, eventsOf(conn, "response.create"), 3)
}

func eventsOf(c *openaitest.Conn, typ string) []openaitest.ClientEvent {
	var out []openaitest.ClientEvent
	for _, e := range c.Events() {
		if e.Type == typ {
			out = append(out, e)
		}
	}
	return out
}

// response.done's usage becomes the root Usage, cached and per-modality
// tokens included, before the terminator.
func TestUsage(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Text: []string{"hi"}, Usage: &openaitest.Usage{
		InputTokens: 120, OutputTokens: 30, InputText: 20, InputAudio: 100, CachedTokens: 64,
		CachedText: 14, CachedAudio: 50, OutputText: 10, OutputAudio: 20,
	}})
	st, _ := open(t, srv, openai.Config{})
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q")))
	items := untilTerminator(t, st)
	u := events(items, fd.EventUsage)
	require.Len(t, u, 1)
	assert.Equal(t, fd.Usage{
		InputTokens: 120, OutputTokens: 30, TotalTokens: 150, CachedTokens: 64,
		InputByModality:  map[fd.Modality]int{fd.ModalityText: 20, fd.ModalityAudio: 100},
		CachedByModality: map[fd.Modality]int{fd.ModalityText: 14, fd.ModalityAudio: 50},
		OutputByModality: map[fd.Modality]int{fd.ModalityText: 10, fd.ModalityAudio: 20},
	}, u[0].Data)
	assert.Equal(t, fd.EventUsage, items[len(items)-2].(fd.StreamEvent).Type, "usage comes right before the terminator")
}

// Transcript deltas are text symbols (MetaTranscript, not final); the done
// event gives the whole transcript as metadata, in the turn.
func TestOutputTranscript(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Text: []string{"hel", "lo"}, Audio: [][]byte{openaitest.Tone(200, 24000, 50)}})
	st, _ := open(t, srv, openai.Config{})
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q")))
	items := untilTerminator(t, st)
	var deltas []string
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityText {
			assert.Equal(t, true, s.Metadata[fd.MetaTranscript])
			assert.Equal(t, false, s.Metadata[fd.MetaFinal])
			assert.Equal(t, fd.RoleModel, s.Role())
			txt, _ := s.TextValue()
			deltas = append(deltas, txt)
		}
	}
	assert.Equal(t, []string{"hel", "lo"}, deltas)
	tr := metadata[openai.Transcript](items)
	require.Len(t, tr, 1)
	assert.Equal(t, openai.Transcript{Role: fd.RoleModel, Turn: 1, ItemID: tr[0].ItemID, Text: "hello"}, tr[0])
}

// A transcript that comes only whole (no deltas, like whisper-1's) is a
// text symbol with MetaFinal true.
func TestTranscriptWithoutDeltas(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	st, conn := open(t, srv, openai.Config{})
	require.NoError(t, conn.Push(map[string]any{"type": "conversation.item.input_audio_transcription.completed", "item_id": "item_u1", "content_index": 0, "transcript": "hi there"}))
	it, err := st.Receive(testCtx(t))
	require.NoError(t, err)
	s := it.(fd.Symbol)
	txt, _ := s.TextValue()
	assert.Equal(t, "hi there", txt)
	assert.Equal(t, fd.RoleUser, s.Role())
	assert.Equal(t, true, s.Metadata[fd.MetaFinal])
}

// An error event is an EventError with the service's code and message; the
// stream goes on.
func TestServerErrorGoesOn(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{})
	require.NoError(t, conn.Push(map[string]any{"type": "error", "error": map[string]any{
		"type": "invalid_request_error", "code": "invalid_value", "message": "bad thing", "param": "x", "event_id": "evt_9"}}))
	it, err := st.Receive(testCtx(t))
	require.NoError(t, err)
	ev := it.(fd.StreamEvent)
	require.Equal(t, fd.EventError, ev.Type)
	var se *openai.ServerError
	require.True(t, errors.As(ev.Data.(error), &se))
	assert.Equal(t, openai.ServerError{Type: "invalid_request_error", Code: "invalid_value", Message: "bad thing", Param: "x", EventID: "evt_9"}, *se)
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("still there?")))
	assert.Equal(t, "echo: still there?", modelText(untilTerminator(t, st)))
}

// Malformed frames are EventErrors, never a panic, and lose nothing.
func TestMalformedServerEvents(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{Echo: true})
	st, conn := open(t, srv, openai.Config{})
	bad := []string{
		`not json`,
		`{}`,
		`{"type": 7}`,
		`{"type":"response.output_audio.delta","response_id":"r","item_id":"i","delta":"!!!not base64"}`,
		`{"type":"response.done","response":"a string"}`,
	}
	for _, b := range bad {
		require.NoError(t, conn.PushRaw([]byte(b)))
	}
	ctx := testCtx(t)
	for range bad {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		assert.Equal(t, fd.EventError, it.(fd.StreamEvent).Type, "%v", it)
	}
	// An event the stream does not know is ignored.
	require.NoError(t, conn.Push(map[string]any{"type": "response.future_event", "x": 1}))
	require.NoError(t, st.Send(ctx, fd.TextSymbol("ok")))
	items := untilTerminator(t, st)
	assert.Equal(t, "echo: ok", modelText(items))
	assert.Empty(t, events(items, fd.EventError))
}

// rate_limits.updated is metadata; a failed response is an EventError and
// a terminator with Reason "failed".
func TestRateLimitsAndFailedResponse(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Text: []string{"par"}, Status: "failed"})
	st, _ := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	items := untilTerminator(t, st)
	end := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.EventStreamEnd, end.Type)
	assert.Equal(t, fd.TurnEnd{Turn: 1, Reason: "failed"}, end.Data)
	require.Len(t, events(items, fd.EventError), 1)
	it, err := st.Receive(ctx)
	require.NoError(t, err)
	rl, ok := it.(fd.StreamEvent).Data.([]openai.RateLimit)
	require.True(t, ok, "%v", it)
	assert.Equal(t, "requests", rl[0].Name)
}
