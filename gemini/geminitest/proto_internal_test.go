package geminitest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"reflect"
	"testing"
)

// slowDecode is the path every frame took before the one-pass decode.
func slowDecode(data []byte) ClientMessage {
	var m ClientMessage
	_ = json.Unmarshal(normalize(data), &m)
	return m
}

// repeatsAKey reports whether some JSON object in data has a key twice,
// the one case where the two paths may differ.
func repeatsAKey(data []byte) bool {
	dec := json.NewDecoder(bytes.NewReader(data))
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // the next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false // the end, or not JSON: both paths see the same bytes
		}
		top := (*frame)(nil)
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if s, ok := tok.(string); ok && top != nil && top.object && top.key {
			if top.keys[s] {
				return true
			}
			top.keys[s] = true
			top.key = false
			continue
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &frame{keys: map[string]bool{}, object: true, key: true})
			continue
		case json.Delim('['):
			stack = append(stack, &frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
		if len(stack) > 0 && stack[len(stack)-1].object {
			stack[len(stack)-1].key = true // a value ended
		}
	}
}

// The one-pass decode of a client frame gets what normalize gets, for the
// SDK's camelCase frames and for every spelling the service accepts.
func FuzzDecodeClientMessageAgreesWithNormalize(f *testing.F) {
	pcm := make([]byte, 640)
	for i := range pcm {
		pcm[i] = byte(0xfb + i%5)
	}
	std := base64.StdEncoding.EncodeToString(pcm)
	for _, s := range []string{
		`{"realtimeInput":{"audio":{"data":"` + std + `","mimeType":"audio/pcm;rate=16000"}}}`,
		`{"realtime_input":{"audio":{"data":"` + base64.RawURLEncoding.EncodeToString(pcm) + `","mime_type":"audio/pcm;rate=16000"}}}`,
		`{"realtimeInput":{"audio":{"data":"QQ","mimeType":"audio/pcm"}}}`,
		`{"realtimeInput":{"mediaChunks":[{"data":"` + std + `","mimeType":"audio/pcm;rate=16000"}]}}`,
		`{"realtimeInput":{"text":"snake_case in a value"}}`,
		`{"realtime\u005finput":{"audioStreamEnd":true}}`,
		`{"setup":{"model":"models/m","generationConfig":{"responseModalities":["AUDIO"]}}}`,
		`{"toolResponse":{"functionResponses":[{"id":"c1","name":"f","response":{"myKey":1}}]}}`,
		`{"clientContent":{"turns":[{"role":"user","parts":[{"text":"hi"}]}],"turnComplete":true}}`,
		`not json`, `[1,2]`, `{}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if repeatsAKey(data) {
			t.Skip("a repeated key: the paths may differ, as documented")
		}
		var fast ClientMessage
		decodeClientMessage(data, &fast)
		if slow := slowDecode(data); !reflect.DeepEqual(fast, slow) {
			t.Fatalf("one-pass decode differs from normalize for %q:\n fast %+v\n slow %+v", data, fast, slow)
		}
	})
}

// A 20 ms 16 kHz audio frame as the genai SDK sends it, decoded the one-pass
// way and the way every frame was decoded before (BENCHMARKS.md).
func BenchmarkDecodeClientMessage(b *testing.B) {
	frame := []byte(`{"realtimeInput":{"audio":{"data":"` + base64.StdEncoding.EncodeToString(make([]byte, 640)) + `","mimeType":"audio/pcm;rate=16000"}}}`)
	b.Run("one-pass", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var m ClientMessage
			decodeClientMessage(frame, &m)
		}
	})
	b.Run("normalize", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			_ = slowDecode(frame)
		}
	})
}
