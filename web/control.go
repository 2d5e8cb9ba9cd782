package web

// The JSON control messages: each type sets its own "type" for encoding
// and checks its own fields after decoding, and the tables below map each
// "type" to its decoder.

// controlMessage is a Client* or Server* control message type.
type controlMessage interface {
	typed() any   // the message with its Type field set
	check() error // refuses fields out of range, wrapping ErrBadFrame
}

var clientControls = map[string]func([]byte) (ClientMessage, error){
	"hello":     decodeClientControl[ClientHello],
	"played":    decodeClientControl[ClientPlayed],
	"interrupt": decodeClientControl[ClientInterrupt],
	"video":     decodeClientControl[ClientVideoState],
}

var serverControls = map[string]func([]byte) (ServerMessage, error){
	"ready":       decodeServerControl[ServerReady],
	"clear":       decodeServerControl[ServerClear],
	"transcript":  decodeServerControl[ServerTranscript],
	"interrupted": decodeServerControl[ServerInterrupted],
	"turn_end":    decodeServerControl[ServerTurnEnd],
	"error":       decodeServerControl[ServerError],
}

// decodeControl decodes data strictly as a T and checks it.
func decodeControl[T controlMessage](data []byte) (T, error) {
	var m T
	if err := strict(data, &m); err != nil {
		return m, err
	}
	return m, m.check()
}

func decodeClientControl[T interface {
	ClientMessage
	controlMessage
}](data []byte) (ClientMessage, error) {
	m, err := decodeControl[T](data)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func decodeServerControl[T interface {
	ServerMessage
	controlMessage
}](data []byte) (ServerMessage, error) {
	m, err := decodeControl[T](data)
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (m ClientHello) typed() any      { m.Type = "hello"; return m }
func (m ClientPlayed) typed() any     { m.Type = "played"; return m }
func (m ClientInterrupt) typed() any  { m.Type = "interrupt"; return m }
func (m ClientVideoState) typed() any { m.Type = "video"; return m }

func (m ServerReady) typed() any       { m.Type = "ready"; return m }
func (m ServerClear) typed() any       { m.Type = "clear"; return m }
func (m ServerTranscript) typed() any  { m.Type = "transcript"; return m }
func (m ServerInterrupted) typed() any { m.Type = "interrupted"; return m }
func (m ServerTurnEnd) typed() any     { m.Type = "turn_end"; return m }
func (m ServerError) typed() any       { m.Type = "error"; return m }

func (m ClientHello) check() error {
	if m.SampleRate < 8000 || m.SampleRate > 48000 {
		return badFrame("hello: sample_rate %d (want 8000 to 48000)", m.SampleRate)
	}
	return nil
}

func (m ClientPlayed) check() error {
	if m.Turn < 0 || m.PlayedMS < 0 || m.QueuedMS < 0 {
		return badFrame("played: negative turn, played_ms or queued_ms")
	}
	return nil
}

func (m ServerReady) check() error {
	if m.InputRate < 8000 || m.InputRate > 48000 || m.FrameMS <= 0 || m.VideoFPS < 0 {
		return badFrame("ready: input_rate %d, frame_ms %d, video_fps %g out of range", m.InputRate, m.FrameMS, m.VideoFPS)
	}
	return nil
}

func (m ServerTranscript) check() error {
	if m.Role != "user" && m.Role != "model" {
		return badFrame("transcript: role %q (want user or model)", cut(m.Role))
	}
	return nil
}

func (ClientInterrupt) check() error   { return nil }
func (ClientVideoState) check() error  { return nil }
func (ServerClear) check() error       { return nil }
func (ServerInterrupted) check() error { return nil }
func (ServerTurnEnd) check() error     { return nil }
func (ServerError) check() error       { return nil }

// encodeControl marshals a control message with its type set.
func encodeControl(m any) []byte {
	c, ok := m.(controlMessage)
	if !ok {
		return marshal(ServerError{}.typed()) // not a message of this protocol (nil)
	}
	return marshal(c.typed())
}
