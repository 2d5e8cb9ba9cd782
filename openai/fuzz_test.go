package openai

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// Any server frame, fed to the decoder and then to the turn state of a
// stream (with a playback reporter, so truncation runs too), never panics,
// and what it yields is well formed.
func FuzzServerEvent(f *testing.F) {
	for _, s := range []string{
		`{"type":"response.created","response":{"id":"r1"}}`,
		`{"type":"response.output_audio.delta","response_id":"r1","item_id":"i1","delta":"AAAA"}`,
		`{"type":"response.output_audio_transcript.delta","response_id":"r1","item_id":"i1","delta":"hé"}`,
		`{"type":"response.output_audio_transcript.done","response_id":"r1","item_id":"i1","transcript":"hé"}`,
		`{"type":"response.function_call_arguments.done","response_id":"r1","call_id":"c","name":"f","arguments":"{\"a\":1}"}`,
		`{"type":"response.done","response":{"id":"r1","status":"cancelled","usage":{"input_tokens":1,"input_token_details":{"cached_tokens_details":{}}}}}`,
		`{"type":"input_audio_buffer.speech_started","audio_start_ms":-5}`,
		`{"type":"input_audio_buffer.committed","item_id":"u"}`,
		`{"type":"conversation.item.input_audio_transcription.completed","item_id":"u","transcript":"x"}`,
		`{"type":"error","error":{"code":"c","event_id":"fd_1"}}`,
		`{"type":"rate_limits.updated","rate_limits":[{"name":"x"}]}`,
		`{"type":"response.done","response":null}`,
		`[]`, `null`, `{"type":""}`,
	} {
		f.Add([]byte(s), []byte(`{"type":"response.done","response":{"id":"r1"}}`))
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		s := NewStream(Config{APIKey: "k"})
		defer s.Close()
		speaker := &fullduplextest.FakeSpeaker{}
		speaker.SetPlayed(1, 30*time.Millisecond)
		s.UsePlayback(speaker)
		for _, data := range [][]byte{a, b, a} {
			ev, err := decodeEvent(data)
			if err != nil {
				continue
			}
			s.mu.Lock()
			items := s.handleLocked(ev, nil)
			s.dispatchLocked()
			s.mu.Unlock()
			for _, it := range items {
				if it == nil {
					t.Fatalf("nil item from %q", data)
				}
			}
		}
	})
}

// The fast path of the decoder yields exactly what encoding/json does, for
// every frame it takes.
func FuzzDecodeFlat(f *testing.F) {
	for _, s := range []string{
		`{"type":"response.output_audio.delta","response_id":"r1","item_id":"i1","output_index":0,"content_index":2,"delta":"AAAA"}`,
		` { "type" : "x" , "audio_start_ms" : -5 , "response" : null } `,
		`{"type":"x","TYPE":"y"}`, `{"type":"x","content_index":1.5}`, `{"type":"x","content_index":01}`,
		`{"type":"h\u00e9"}`, `{"type":"hé"}`, "{\"type\":\"\xff\"}", `{"type":"x","delta":7}`, `{"type":"x","session":null}`,
		`{"type":"x","output_index":true}`, `{}`, `{"type":"x"}x`, `{"type":"x",}`, `{"type":null}`,
		`{"type":"x","content_index":123456789012345678}`, `{"type":"x","content_index":-0}`, `{"a":{"b":1}}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fast, ok := decodeFlat(data)
		if !ok {
			return
		}
		var want serverEvent
		if err := json.Unmarshal(data, &want); err != nil {
			t.Fatalf("fast path took %q, encoding/json refuses it: %v", data, err)
		}
		if !reflect.DeepEqual(fast, want) {
			t.Fatalf("%q: fast path %+v, encoding/json %+v", data, fast, want)
		}
	})
}
