package web_test

import (
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/web"
)

func TestDecodeClientRefuses(t *testing.T) {
	audio := func(rate int, pcm []byte) []byte { return web.AppendMedia(nil, web.KindAudio, rate, 0, pcm) }
	for _, tc := range []struct {
		name string
		mt   int
		data []byte
		want string
	}{
		{"short header", websocket.BinaryMessage, []byte{1, 1, 0}, "shorter than its 12-byte header"},
		{"version", websocket.BinaryMessage, []byte{1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2}, "protocol version 9"},
		{"kind", websocket.BinaryMessage, web.AppendMedia(nil, 7, 16000, 0, []byte{1, 2}), "unknown media kind 7"},
		{"rate", websocket.BinaryMessage, audio(4000, []byte{1, 2}), "audio at 4000 Hz"},
		{"empty audio", websocket.BinaryMessage, audio(16000, nil), "empty audio frame"},
		{"odd audio", websocket.BinaryMessage, audio(16000, []byte{1, 2, 3}), "not whole 16-bit samples"},
		{"big audio", websocket.BinaryMessage, audio(16000, make([]byte, web.DefaultMaxAudioBytes+2)), "exceeds the limit"},
		{"turn on uplink audio", websocket.BinaryMessage, web.AppendMedia(nil, web.KindAudio, 16000, 3, []byte{1, 2}), "carries a turn"},
		{"not a jpeg", websocket.BinaryMessage, web.AppendMedia(nil, web.KindVideo, 0, 0, []byte("GIF89a")), "not a JPEG"},
		{"not json", websocket.TextMessage, []byte("hello"), "not a JSON object"},
		{"no type", websocket.TextMessage, []byte(`{"turn":1}`), "has no type"},
		{"unknown type", websocket.TextMessage, []byte(`{"type":"dance"}`), `unknown control message type "dance"`},
		{"unknown field", websocket.TextMessage, []byte(`{"type":"played","turn":1,"x":2}`), `unknown field "x"`},
		{"negative", websocket.TextMessage, []byte(`{"type":"played","turn":-1}`), "negative"},
		{"hello rate", websocket.TextMessage, []byte(`{"type":"hello","sample_rate":5}`), "sample_rate 5"},
		{"trailing", websocket.TextMessage, []byte(`{"type":"interrupt"} {}`), "after top-level value"},
		{"big control", websocket.TextMessage, append([]byte(`{"type":"hello","x":"`), make([]byte, web.MaxControlBytes)...), "exceeds the limit"},
		{"ping type", websocket.PingMessage, nil, "message type 9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := web.DecodeClient(tc.mt, tc.data, web.Limits{})
			assert.Nil(t, m)
			require.ErrorIs(t, err, web.ErrBadFrame)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range []web.ClientMessage{
		web.ClientAudio{Rate: 16000, PCM: []byte{1, 2, 3, 4}},
		web.ClientVideo{JPEG: []byte{0xFF, 0xD8, 0xFF, 0xE0, 1}},
		web.ClientHello{Type: "hello", SampleRate: 16000, ContextRate: 48000},
		web.ClientPlayed{Type: "played", Turn: 2, PlayedMS: 300, QueuedMS: 40},
		web.ClientInterrupt{Type: "interrupt"},
		web.ClientVideoState{Type: "video", On: true, Source: "camera"},
	} {
		mt, data := web.EncodeClient(m)
		got, err := web.DecodeClient(mt, data, web.Limits{})
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
	for _, m := range []web.ServerMessage{
		web.ServerAudio{Rate: 24000, Turn: 3, PCM: []byte{1, 2}},
		web.ServerReady{Type: "ready", InputRate: 16000, FrameMS: 20, VideoFPS: 1, MaxVideo: 10},
		web.ServerClear{Type: "clear"},
		web.ServerTranscript{Type: "transcript", Role: "model", Text: "hi", Final: true, Turn: 1},
		web.ServerInterrupted{Type: "interrupted", Turn: 1},
		web.ServerTurnEnd{Type: "turn_end", Turn: 1, LatencyMS: 450},
		web.ServerError{Type: "error", Message: "oops"},
	} {
		mt, data := web.EncodeServer(m)
		got, err := web.DecodeServer(mt, data, web.Limits{})
		require.NoError(t, err)
		assert.Equal(t, m, got)
	}
}

func TestDecodeServerRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		mt   int
		data []byte
		want string
	}{
		{"video from the server", websocket.BinaryMessage, web.AppendMedia(nil, web.KindVideo, 0, 0, []byte{0xFF, 0xD8, 0xFF, 0}), "media kind 2 from the server"},
		{"ready rate", websocket.TextMessage, []byte(`{"type":"ready","input_rate":100,"frame_ms":20}`), "ready: input_rate 100"},
		{"ready frame", websocket.TextMessage, []byte(`{"type":"ready","input_rate":16000,"frame_ms":0}`), "frame_ms 0"},
		{"transcript role", websocket.TextMessage, []byte(`{"type":"transcript","role":"narrator","text":"x"}`), `role "narrator"`},
		{"unknown field", websocket.TextMessage, []byte(`{"type":"clear","now":true}`), `unknown field "now"`},
		{"unknown type", websocket.TextMessage, []byte(`{"type":"hello","sample_rate":16000}`), `unknown control message type "hello"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, err := web.DecodeServer(tc.mt, tc.data, web.Limits{})
			assert.Nil(t, m)
			require.ErrorIs(t, err, web.ErrBadFrame)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// Encoding sets each control message's type, whatever the value held.
func TestEncodeSetsType(t *testing.T) {
	_, data := web.EncodeServer(web.ServerTurnEnd{Type: "bogus", Turn: 2})
	assert.JSONEq(t, `{"type":"turn_end","turn":2,"latency_ms":0}`, string(data))
	_, data = web.EncodeClient(web.ClientInterrupt{})
	assert.JSONEq(t, `{"type":"interrupt"}`, string(data))
}
