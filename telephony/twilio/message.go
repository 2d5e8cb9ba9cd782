package twilio

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// The wire shapes of Twilio Media Streams messages
// (https://www.twilio.com/docs/voice/media-streams/websocket-messages).
// Twilio sends numbers such as sequenceNumber, chunk and timestamp as JSON
// strings.

// A Message is one Media Streams message, in either direction. Event names
// which of the other fields is set.
type Message struct {
	Event          string   `json:"event"`
	SequenceNumber string   `json:"sequenceNumber,omitempty"`
	StreamSid      string   `json:"streamSid,omitempty"`
	Protocol       string   `json:"protocol,omitempty"` // connected
	Version        string   `json:"version,omitempty"`  // connected
	Start          *Start   `json:"start,omitempty"`
	Media          *Media   `json:"media,omitempty"`
	DTMF           *DTMFKey `json:"dtmf,omitempty"`
	Mark           *Mark    `json:"mark,omitempty"`
	Stop           *Stop    `json:"stop,omitempty"`
}

// Start is the start message's payload: who is calling and how the audio is
// encoded.
type Start struct {
	AccountSid       string            `json:"accountSid"`
	StreamSid        string            `json:"streamSid"`
	CallSid          string            `json:"callSid"`
	Tracks           []string          `json:"tracks"`
	CustomParameters map[string]string `json:"customParameters"`
	MediaFormat      MediaFormat       `json:"mediaFormat"`
}

// MediaFormat describes the stream's audio; Twilio sends audio/x-mulaw,
// 8000 Hz, 1 channel.
type MediaFormat struct {
	Encoding   string `json:"encoding"`
	SampleRate int    `json:"sampleRate"`
	Channels   int    `json:"channels"`
}

// Media is one audio frame. Payload is base64 μ-law; DecodeMessage also
// decodes it into Audio.
type Media struct {
	Track     string `json:"track,omitempty"`
	Chunk     string `json:"chunk,omitempty"`
	Timestamp string `json:"timestamp,omitempty"`
	Payload   string `json:"payload"`
	// Audio is Payload decoded (μ-law bytes), set by DecodeMessage; it is
	// not part of the wire format.
	Audio []byte `json:"-"`
}

// DTMFKey is one key the caller pressed.
type DTMFKey struct {
	Track string `json:"track,omitempty"`
	Digit string `json:"digit"`
}

// Mark names a point in the audio sent to Twilio.
type Mark struct {
	Name string `json:"name"`
}

// Stop is the stop message's payload.
type Stop struct {
	AccountSid string `json:"accountSid"`
	CallSid    string `json:"callSid"`
}

// Event names.
const (
	EventConnected = "connected"
	EventStart     = "start"
	EventMedia     = "media"
	EventDTMF      = "dtmf"
	EventMark      = "mark"
	EventStop      = "stop"
	EventClear     = "clear"
)

// MaxMessage bounds one message from Twilio, in bytes: its media frames
// are 20 ms of audio (about 300 bytes of JSON) and its start message holds
// a few ids and the stream's custom parameters. A larger frame ends the
// call with an error wrapping ErrMalformed, before it is read into memory.
const MaxMessage = 64 << 10

// DecodeMessage parses one message from Twilio and checks that it has the
// fields its event needs. The error wraps ErrMalformed.
func DecodeMessage(data []byte) (Message, error) {
	var m Message
	if len(data) > MaxMessage {
		return m, fmt.Errorf("%w: frame of %d bytes (limit %d)", ErrMalformed, len(data), MaxMessage)
	}
	err := json.Unmarshal(data, &m)
	if err != nil {
		return Message{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	var missing string
	switch m.Event {
	case EventConnected:
	case EventStart:
		if m.Start == nil {
			missing = "start"
		}
	case EventMedia:
		if m.Media == nil {
			missing = "media"
		} else if m.Media.Audio, err = base64.StdEncoding.DecodeString(m.Media.Payload); err != nil {
			return Message{}, fmt.Errorf("%w: media payload: %v", ErrMalformed, err)
		}
	case EventDTMF:
		if m.DTMF == nil || m.DTMF.Digit == "" {
			missing = "dtmf.digit"
		}
	case EventMark:
		if m.Mark == nil || m.Mark.Name == "" {
			missing = "mark.name"
		}
	case EventStop:
	case "":
		return Message{}, fmt.Errorf("%w: no event", ErrMalformed)
	default:
		// Unknown events are kept: Twilio may add some.
	}
	if missing != "" {
		return Message{}, fmt.Errorf("%w: %s message without %s", ErrMalformed, m.Event, missing)
	}
	return m, nil
}
