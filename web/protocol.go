package web

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/gorilla/websocket"
)

// The wire protocol between the page and the server, over one WebSocket.
//
// Binary frames carry media, in both directions. Each starts with a
// 12-byte header, all integers little-endian:
//
//	byte 0      kind: KindAudio (1) or KindVideo (2)
//	byte 1      ProtocolVersion (1)
//	bytes 2-3   zero
//	bytes 4-7   uint32 sample rate in Hz (audio; 0 for video)
//	bytes 8-11  uint32 model turn (audio from the server; 0 otherwise)
//
// followed by the payload: 16-bit signed little-endian mono PCM for audio,
// one JPEG image for video.
//
// Text frames carry control messages: one JSON object with a "type" field
// and that type's fields (see the Client* and Server* types). Unknown types
// and unknown fields are refused.
const (
	ProtocolVersion = 1
	HeaderSize      = 12

	KindAudio byte = 1
	KindVideo byte = 2
)

// Limits on what a decoder accepts. Config can lower the media limits.
const (
	// MaxControlBytes bounds a JSON control message.
	MaxControlBytes = 4 << 10
	// DefaultMaxAudioBytes bounds the PCM of one audio frame: 1 s of
	// 48 kHz audio, far more than the page's 20 ms frames.
	DefaultMaxAudioBytes = 96000
	// DefaultMaxVideoBytes bounds one JPEG frame.
	DefaultMaxVideoBytes = 1 << 20
)

// ErrBadFrame is wrapped by every error of DecodeClient and DecodeServer.
var ErrBadFrame = errors.New("web: bad frame")

func badFrame(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrBadFrame, fmt.Sprintf(format, args...))
}

// A ClientMessage is one frame from the page: ClientAudio, ClientVideo,
// ClientHello, ClientPlayed, ClientInterrupt or ClientVideoState. The set
// is closed. Values are plain data, safe to share once decoded.
type ClientMessage interface{ isClientMessage() }

// ClientAudio is 20 ms (normally) of the microphone.
type ClientAudio struct {
	Rate int    // samples per second
	PCM  []byte // 16-bit little-endian mono
}

// ClientVideo is one camera or screen frame.
type ClientVideo struct {
	JPEG []byte
}

// ClientHello is the page's first control message.
type ClientHello struct {
	Type       string `json:"type"` // "hello"
	SampleRate int    `json:"sample_rate"`
	// ContextRate is the rate of the page's AudioContext (informative).
	ContextRate int `json:"context_rate,omitempty"`
}

// ClientPlayed reports how much of a model turn the page has played, and
// how much audio it still holds; the page sends one every 100 ms while it
// plays, when a turn finishes playing and after a clear.
type ClientPlayed struct {
	Type     string `json:"type"` // "played"
	Turn     int    `json:"turn"`
	PlayedMS int    `json:"played_ms"`
	QueuedMS int    `json:"queued_ms"`
}

// ClientInterrupt asks to cut the model's answer (the page's stop button).
type ClientInterrupt struct {
	Type string `json:"type"` // "interrupt"
}

// ClientVideoState says the camera or screen share was turned on or off.
type ClientVideoState struct {
	Type   string `json:"type"` // "video"
	On     bool   `json:"on"`
	Source string `json:"source,omitempty"` // "camera" or "screen"
}

func (ClientAudio) isClientMessage()      {}
func (ClientVideo) isClientMessage()      {}
func (ClientHello) isClientMessage()      {}
func (ClientPlayed) isClientMessage()     {}
func (ClientInterrupt) isClientMessage()  {}
func (ClientVideoState) isClientMessage() {}

// A ServerMessage is one frame to the page: ServerAudio, ServerReady,
// ServerClear, ServerTranscript, ServerInterrupted, ServerTurnEnd or
// ServerError. The set is closed. Values are plain data, safe to share
// once decoded.
type ServerMessage interface{ isServerMessage() }

// ServerAudio is model audio of one turn.
type ServerAudio struct {
	Rate int
	Turn int
	PCM  []byte
}

// ServerReady is the server's first message: how the page should capture.
type ServerReady struct {
	Type      string  `json:"type"` // "ready"
	InputRate int     `json:"input_rate"`
	FrameMS   int     `json:"frame_ms"`
	VideoFPS  float64 `json:"video_fps"`
	MaxVideo  int     `json:"max_video_bytes"`
}

// ServerClear tells the page to drop every sample it holds, at once.
type ServerClear struct {
	Type string `json:"type"` // "clear"
}

// ServerTranscript is text of either side: the user's transcribed speech,
// the model's text or transcribed speech.
type ServerTranscript struct {
	Type  string `json:"type"` // "transcript"
	Role  string `json:"role"` // "user" or "model"
	Text  string `json:"text"`
	Final bool   `json:"final,omitempty"`
	Turn  int    `json:"turn,omitempty"`
}

// ServerInterrupted marks a model turn as cut off.
type ServerInterrupted struct {
	Type string `json:"type"` // "interrupted"
	Turn int    `json:"turn"`
}

// ServerTurnEnd marks a model turn as finished. LatencyMS is the time from
// the end of the user's last speech to the turn's first audio, as the
// server saw them; 0 when unknown (a turn without audio or speech).
type ServerTurnEnd struct {
	Type      string `json:"type"` // "turn_end"
	Turn      int    `json:"turn"`
	LatencyMS int    `json:"latency_ms"`
}

// ServerError reports an error the user should see.
type ServerError struct {
	Type    string `json:"type"` // "error"
	Message string `json:"message"`
}

func (ServerAudio) isServerMessage()       {}
func (ServerReady) isServerMessage()       {}
func (ServerClear) isServerMessage()       {}
func (ServerTranscript) isServerMessage()  {}
func (ServerInterrupted) isServerMessage() {}
func (ServerTurnEnd) isServerMessage()     {}
func (ServerError) isServerMessage()       {}

// Limits bounds what DecodeClient and DecodeServer accept; zero fields
// mean the Default* constants. A plain value, safe to share.
type Limits struct {
	MaxAudioBytes int // PCM bytes of one audio frame
	MaxVideoBytes int // bytes of one JPEG
}

func (l Limits) withDefaults() Limits {
	if l.MaxAudioBytes <= 0 {
		l.MaxAudioBytes = DefaultMaxAudioBytes
	}
	if l.MaxVideoBytes <= 0 {
		l.MaxVideoBytes = DefaultMaxVideoBytes
	}
	return l
}

// frameLimit is the largest frame a reader should accept under l.
func (l Limits) frameLimit() int64 {
	l = l.withDefaults()
	return int64(HeaderSize + max(l.MaxAudioBytes, l.MaxVideoBytes, MaxControlBytes))
}

// AppendMedia appends a binary frame of kind with payload to dst.
func AppendMedia(dst []byte, kind byte, rate, turn int, payload []byte) []byte {
	var h [HeaderSize]byte
	h[0], h[1] = kind, ProtocolVersion
	binary.LittleEndian.PutUint32(h[4:], uint32(rate))
	binary.LittleEndian.PutUint32(h[8:], uint32(turn))
	dst = append(dst, h[:]...)
	return append(dst, payload...)
}

// header is a decoded binary frame header.
type header struct {
	kind       byte
	rate, turn int
	payload    []byte
}

func decodeHeader(data []byte) (header, error) {
	if len(data) < HeaderSize {
		return header{}, badFrame("binary frame of %d bytes is shorter than its %d-byte header", len(data), HeaderSize)
	}
	if data[1] != ProtocolVersion {
		return header{}, badFrame("protocol version %d (want %d)", data[1], ProtocolVersion)
	}
	if data[2] != 0 || data[3] != 0 {
		return header{}, badFrame("reserved header bytes are not zero")
	}
	return header{
		kind:    data[0],
		rate:    int(binary.LittleEndian.Uint32(data[4:])),
		turn:    int(binary.LittleEndian.Uint32(data[8:])),
		payload: data[HeaderSize:],
	}, nil
}

func checkAudio(h header, l Limits) error {
	switch {
	case h.rate < 8000 || h.rate > 48000:
		return badFrame("audio at %d Hz (want 8000 to 48000)", h.rate)
	case len(h.payload) == 0:
		return badFrame("empty audio frame")
	case len(h.payload)%2 != 0:
		return badFrame("audio frame of %d bytes is not whole 16-bit samples", len(h.payload))
	case len(h.payload) > l.MaxAudioBytes:
		return badFrame("audio frame of %d bytes exceeds the limit of %d", len(h.payload), l.MaxAudioBytes)
	}
	return nil
}

func checkVideo(h header, l Limits) error {
	switch {
	case len(h.payload) > l.MaxVideoBytes:
		return badFrame("video frame of %d bytes exceeds the limit of %d", len(h.payload), l.MaxVideoBytes)
	case len(h.payload) < 4 || h.payload[0] != 0xFF || h.payload[1] != 0xD8 || h.payload[2] != 0xFF:
		return badFrame("video frame is not a JPEG image")
	case h.rate != 0 || h.turn != 0:
		return badFrame("video frame header carries a rate or turn")
	}
	return nil
}

// controlType reads the "type" of a JSON control message.
func controlType(data []byte) (string, error) {
	if len(data) > MaxControlBytes {
		return "", badFrame("control message of %d bytes exceeds the limit of %d", len(data), MaxControlBytes)
	}
	var t struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &t); err != nil {
		return "", badFrame("control message is not a JSON object: %v", err)
	}
	if t.Type == "" {
		return "", badFrame("control message has no type")
	}
	return t.Type, nil
}

// strict decodes data into v, refusing unknown fields and trailing data.
func strict(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(v); err != nil {
		return badFrame("control message: %v", err)
	}
	if d.More() {
		return badFrame("control message: data after the JSON object")
	}
	return nil
}

// DecodeClient decodes one frame from the page; messageType is
// websocket.BinaryMessage or websocket.TextMessage. Media payloads alias
// data. Every error wraps ErrBadFrame and says what was wrong.
func DecodeClient(messageType int, data []byte, l Limits) (ClientMessage, error) {
	l = l.withDefaults()
	switch messageType {
	case websocket.BinaryMessage:
		h, err := decodeHeader(data)
		if err != nil {
			return nil, err
		}
		switch h.kind {
		case KindAudio:
			if h.turn != 0 {
				return nil, badFrame("audio from the page carries a turn")
			}
			if err := checkAudio(h, l); err != nil {
				return nil, err
			}
			return ClientAudio{Rate: h.rate, PCM: h.payload}, nil
		case KindVideo:
			if err := checkVideo(h, l); err != nil {
				return nil, err
			}
			return ClientVideo{JPEG: h.payload}, nil
		}
		return nil, badFrame("unknown media kind %d", h.kind)
	case websocket.TextMessage:
		typ, err := controlType(data)
		if err != nil {
			return nil, err
		}
		if decode, ok := clientControls[typ]; ok {
			return decode(data)
		}
		return nil, badFrame("unknown control message type %q", cut(typ))
	}
	return nil, badFrame("websocket message type %d (want text or binary)", messageType)
}

// cut shortens a peer's string for an error message.
func cut(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}

// DecodeServer decodes one frame from the server, for Go clients of the
// protocol (tests, load generators, native apps). Every error wraps
// ErrBadFrame.
func DecodeServer(messageType int, data []byte, l Limits) (ServerMessage, error) {
	l = l.withDefaults()
	switch messageType {
	case websocket.BinaryMessage:
		h, err := decodeHeader(data)
		if err != nil {
			return nil, err
		}
		if h.kind != KindAudio {
			return nil, badFrame("media kind %d from the server (want audio)", h.kind)
		}
		if err := checkAudio(h, l); err != nil {
			return nil, err
		}
		return ServerAudio{Rate: h.rate, Turn: h.turn, PCM: h.payload}, nil
	case websocket.TextMessage:
		typ, err := controlType(data)
		if err != nil {
			return nil, err
		}
		if decode, ok := serverControls[typ]; ok {
			return decode(data)
		}
		return nil, badFrame("unknown control message type %q", cut(typ))
	}
	return nil, badFrame("websocket message type %d (want text or binary)", messageType)
}

// EncodeServer returns the frame for m and its websocket message type,
// setting the Type field of a control message.
func EncodeServer(m ServerMessage) (messageType int, data []byte) {
	if v, ok := m.(ServerAudio); ok {
		return websocket.BinaryMessage, AppendMedia(make([]byte, 0, HeaderSize+len(v.PCM)), KindAudio, v.Rate, v.Turn, v.PCM)
	}
	return websocket.TextMessage, encodeControl(m)
}

// EncodeClient returns the frame for m and its websocket message type,
// setting the Type field of a control message.
func EncodeClient(m ClientMessage) (messageType int, data []byte) {
	switch v := m.(type) {
	case ClientAudio:
		return websocket.BinaryMessage, AppendMedia(make([]byte, 0, HeaderSize+len(v.PCM)), KindAudio, v.Rate, 0, v.PCM)
	case ClientVideo:
		return websocket.BinaryMessage, AppendMedia(make([]byte, 0, HeaderSize+len(v.JPEG)), KindVideo, 0, 0, v.JPEG)
	}
	return websocket.TextMessage, encodeControl(m)
}

// marshal encodes a control message; the types here always marshal.
func marshal(m any) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		return []byte(`{"type":"error","message":"web: cannot encode a message"}`)
	}
	return b
}
