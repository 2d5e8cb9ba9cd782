package openai_test

import (
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// A cut answer's terminator says what the listener heard: the played audio
// (the truncation's audio_end_ms) and the share of the transcript spoken
// in it.
func TestInterruptCarriesWhatWasHeard(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	st, conn := open(t, srv, openai.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	ctx := testCtx(t)
	base := map[string]any{"response_id": "resp_h", "item_id": "item_h", "output_index": 0, "content_index": 0}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	require.NoError(t, conn.Push(map[string]any{"type": "response.created", "response": map[string]any{"id": "resp_h"}}))
	require.NoError(t, conn.Push(with("type", "response.output_audio.delta", "delta", base64.StdEncoding.EncodeToString(openaitest.Tone(300, 24000, 200)))))
	require.NoError(t, conn.Push(with("type", "response.output_audio_transcript.delta", "delta", "hello world")))
	for {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityText {
			break
		}
	}
	speaker.SetPlayed(1, 100*time.Millisecond)
	require.NoError(t, st.InterruptOutput(ctx))
	items := untilTerminator(t, st)
	end := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.EventInterrupt, end.Type)
	assert.Equal(t, fd.TurnEnd{Turn: 1, Heard: &fd.Heard{Audio: 100 * time.Millisecond, Received: 200 * time.Millisecond, Transcript: "hello"}}, end.Data)
	assert.Equal(t, 100, truncation(t, conn))
}

// Without a reporter nobody knows what was heard: no Heard.
func TestInterruptWithoutAReporterHasNoHeard(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(3, 100), Text: []string{"x"}, Hang: true})
	st, _ := open(t, srv, openai.Config{})
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	waitAudio(t, st)
	require.NoError(t, st.InterruptOutput(ctx))
	items := untilTerminator(t, st)
	end := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.EventInterrupt, end.Type)
	assert.Nil(t, end.Data.(fd.TurnEnd).Heard)
}
