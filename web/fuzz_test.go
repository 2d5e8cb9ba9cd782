package web_test

import (
	"errors"
	"testing"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex/web"
)

func seeds(f *testing.F) {
	f.Add(true, web.AppendMedia(nil, web.KindAudio, 16000, 0, []byte{1, 2, 3, 4}))
	f.Add(true, web.AppendMedia(nil, web.KindVideo, 0, 0, []byte{0xFF, 0xD8, 0xFF, 0xE0}))
	f.Add(true, web.AppendMedia(nil, web.KindAudio, 24000, 5, []byte{1, 2}))
	for _, s := range []string{
		`{"type":"hello","sample_rate":16000}`, `{"type":"played","turn":1,"played_ms":20,"queued_ms":0}`,
		`{"type":"interrupt"}`, `{"type":"video","on":true}`, `{"type":"ready","input_rate":16000,"frame_ms":20,"video_fps":1,"max_video_bytes":9}`,
		`{"type":"clear"}`, `{"type":"transcript","role":"user","text":"hi"}`, `{"type":"turn_end","turn":1,"latency_ms":3}`,
		`{"type":"error","message":"x"}`, `{"type":"interrupted","turn":2}`, `{}`, `[`, `{"type":1}`,
	} {
		f.Add(false, []byte(s))
	}
}

func messageType(binary bool) int {
	if binary {
		return websocket.BinaryMessage
	}
	return websocket.TextMessage
}

// The decoders never panic, refuse with ErrBadFrame, and what they accept
// encodes back to a frame that decodes to the same message.
func FuzzDecodeClient(f *testing.F) {
	seeds(f)
	lim := web.Limits{MaxAudioBytes: 4096, MaxVideoBytes: 8192}
	f.Fuzz(func(t *testing.T, binary bool, data []byte) {
		m, err := web.DecodeClient(messageType(binary), data, lim)
		if err != nil {
			if !errors.Is(err, web.ErrBadFrame) || m != nil {
				t.Fatalf("error %v (message %v) does not wrap ErrBadFrame", err, m)
			}
			return
		}
		mt, again := web.EncodeClient(m)
		m2, err := web.DecodeClient(mt, again, lim)
		if err != nil {
			t.Fatalf("re-encoded %T does not decode: %v", m, err)
		}
		if mt == websocket.TextMessage {
			if _, again2 := web.EncodeClient(m2); string(again2) != string(again) {
				t.Fatalf("round trip changed %q to %q", again, again2)
			}
		}
	})
}

func FuzzDecodeServer(f *testing.F) {
	seeds(f)
	lim := web.Limits{MaxAudioBytes: 4096}
	f.Fuzz(func(t *testing.T, binary bool, data []byte) {
		m, err := web.DecodeServer(messageType(binary), data, lim)
		if err != nil {
			if !errors.Is(err, web.ErrBadFrame) || m != nil {
				t.Fatalf("error %v (message %v) does not wrap ErrBadFrame", err, m)
			}
			return
		}
		mt, again := web.EncodeServer(m)
		if _, err := web.DecodeServer(mt, again, lim); err != nil {
			t.Fatalf("re-encoded %T does not decode: %v", m, err)
		}
	})
}
