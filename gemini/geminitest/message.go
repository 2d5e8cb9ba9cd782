package geminitest

import (
	"encoding/json"
	"strings"
	"time"

	"google.golang.org/genai"
)

// A ClientMessage is one message a client sent, parsed, with its raw JSON.
// Exactly one of the pointer fields is set for a well-formed message. It is
// a snapshot: safe to read from any goroutine, not to be modified.
type ClientMessage struct {
	Setup         *genai.LiveClientSetup         `json:"setup,omitempty"`
	ClientContent *genai.LiveClientContent       `json:"clientContent,omitempty"`
	RealtimeInput *RealtimeInput                 `json:"realtimeInput,omitempty"`
	ToolResponse  *genai.LiveClientToolResponse  `json:"toolResponse,omitempty"`
	ContextUpdate *genai.LiveClientContextUpdate `json:"contextUpdate,omitempty"`

	Raw      json.RawMessage `json:"-"` // the frame as received
	Binary   bool            `json:"-"` // it came as a binary frame
	Conn     int             `json:"-"` // index of the connection, from 0
	Received time.Time       `json:"-"`
}

// RealtimeInput is the realtimeInput client message as it travels on the
// wire (the SDK's LiveClientRealtimeInput lacks the newer fields). Like
// ClientMessage, it is a read-only snapshot.
type RealtimeInput struct {
	Audio          *genai.Blob          `json:"audio,omitempty"`
	Video          *genai.Blob          `json:"video,omitempty"`
	MediaChunks    []*genai.Blob        `json:"mediaChunks,omitempty"`
	Text           string               `json:"text,omitempty"`
	AudioStreamEnd bool                 `json:"audioStreamEnd,omitempty"`
	ActivityStart  *genai.ActivityStart `json:"activityStart,omitempty"`
	ActivityEnd    *genai.ActivityEnd   `json:"activityEnd,omitempty"`
}

// Audio returns the PCM and MIME type of an audio chunk; ok is false for any
// other message.
func (m ClientMessage) Audio() (pcm []byte, mimeType string, ok bool) {
	if m.RealtimeInput == nil || m.RealtimeInput.Audio == nil {
		return nil, "", false
	}
	return m.RealtimeInput.Audio.Data, m.RealtimeInput.Audio.MIMEType, true
}

// Text returns the text of a client turn (all text parts joined); ok is
// false for any other message.
func (m ClientMessage) Text() (text string, ok bool) {
	if m.ClientContent == nil {
		return "", false
	}
	var b strings.Builder
	for _, c := range m.ClientContent.Turns {
		if c == nil {
			continue
		}
		for _, p := range c.Parts {
			if p != nil {
				b.WriteString(p.Text)
			}
		}
	}
	return b.String(), true
}

// Predicates for Conn.WaitFor and Server.WaitFor.
var (
	IsSetup          = func(m ClientMessage) bool { return m.Setup != nil }
	IsAudio          = func(m ClientMessage) bool { _, _, ok := m.Audio(); return ok }
	IsAudioStreamEnd = func(m ClientMessage) bool { return m.RealtimeInput != nil && m.RealtimeInput.AudioStreamEnd }
	IsVideo          = func(m ClientMessage) bool { return m.RealtimeInput != nil && m.RealtimeInput.Video != nil }
	IsActivityStart  = func(m ClientMessage) bool { return m.RealtimeInput != nil && m.RealtimeInput.ActivityStart != nil }
	IsActivityEnd    = func(m ClientMessage) bool { return m.RealtimeInput != nil && m.RealtimeInput.ActivityEnd != nil }
	IsClientContent  = func(m ClientMessage) bool { return m.ClientContent != nil }
	IsToolResponse   = func(m ClientMessage) bool { return m.ToolResponse != nil }
	Any              = func(ClientMessage) bool { return true }
)
