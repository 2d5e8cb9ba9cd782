package openaitest

import (
	"encoding/json"
	"fmt"
	"sort"
)

// session is a connection's session configuration, guarded by Conn.mu.
type session struct {
	instructions  string
	modalities    []string
	inFormat      string
	outFormat     string
	voice         string
	transcription string // model; "" when off
	td            *turnDetection
	tools         []any
	other         map[string]any // accepted fields the fake does not act on
}

type turnDetection struct {
	Type              string  `json:"type"`
	Threshold         float64 `json:"threshold,omitempty"`
	PrefixPaddingMS   int     `json:"prefix_padding_ms,omitempty"`
	SilenceDurationMS int     `json:"silence_duration_ms,omitempty"`
	IdleTimeoutMS     int     `json:"idle_timeout_ms,omitempty"`
	Eagerness         string  `json:"eagerness,omitempty"`
	CreateResponse    *bool   `json:"create_response,omitempty"`
	InterruptResponse *bool   `json:"interrupt_response,omitempty"`
}

func (t *turnDetection) createResponse() bool { return t.CreateResponse == nil || *t.CreateResponse }
func (t *turnDetection) interruptResponse() bool {
	return t.InterruptResponse == nil || *t.InterruptResponse
}

func defaultSession() session {
	return session{
		modalities: []string{"audio"}, inFormat: "audio/pcm", outFormat: "audio/pcm", voice: "marin",
		td:    &turnDetection{Type: "server_vad", Threshold: 0.5, PrefixPaddingMS: 300, SilenceDurationMS: 500},
		other: map[string]any{},
	}
}

func (s *session) audioOut() bool { return len(s.modalities) == 1 && s.modalities[0] == "audio" }

// object returns the session as session.created and session.updated show it.
func (s *session) object(id, model string) map[string]any {
	var td any
	if s.td != nil {
		td = s.td
	}
	var tr any
	if s.transcription != "" {
		tr = map[string]any{"model": s.transcription}
	}
	o := map[string]any{
		"id": id, "object": "realtime.session", "type": "realtime", "model": model,
		"instructions": s.instructions, "output_modalities": s.modalities,
		"audio": map[string]any{
			"input":  map[string]any{"format": formatObj(s.inFormat), "transcription": tr, "turn_detection": td},
			"output": map[string]any{"format": formatObj(s.outFormat), "voice": s.voice},
		},
		"tools": s.tools,
	}
	for k, v := range s.other {
		o[k] = v
	}
	return o
}

func formatObj(f string) map[string]any {
	if f == "audio/pcm" {
		return map[string]any{"type": f, "rate": 24000}
	}
	return map[string]any{"type": f}
}

// The session fields the service accepts.
var sessionFields = map[string]bool{
	"type": true, "audio": true, "include": true, "instructions": true, "max_output_tokens": true,
	"output_modalities": true, "prompt": true, "tool_choice": true, "tools": true, "tracing": true, "truncation": true,
}

// sessionUpdate applies a session.update, refusing what the service refuses.
func (c *Conn) sessionUpdate(ev ClientEvent) {
	var raw map[string]json.RawMessage
	if err := ev.Field("session", &raw); err != nil {
		c.sendError(ev.EventID, "missing_required_parameter", "Missing required parameter: 'session'.", "session")
		return
	}
	fail := func(code, param, format string, args ...any) {
		c.sendError(ev.EventID, code, fmt.Sprintf(format, args...), param)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "model" {
			fail("invalid_request_error", "session.model", "The model of a session cannot be changed: it is set when the session is created.")
			return
		}
		if !sessionFields[k] {
			fail("unknown_parameter", "session."+k, "Unknown parameter: 'session.%s'.", k)
			return
		}
	}
	var typ string
	if err := json.Unmarshal(raw["type"], &typ); err != nil || typ != "realtime" {
		fail("missing_required_parameter", "session.type", "Missing required parameter: 'session.type' (want \"realtime\").")
		return
	}
	c.mu.Lock()
	next := c.sess
	next.other = map[string]any{}
	for k, v := range c.sess.other {
		next.other[k] = v
	}
	spoken := c.spoken
	c.mu.Unlock()
	for _, k := range keys {
		v := raw[k]
		var err error
		switch k {
		case "type":
		case "instructions":
			err = json.Unmarshal(v, &next.instructions)
		case "output_modalities":
			var m []string
			if err = json.Unmarshal(v, &m); err == nil {
				if len(m) != 1 || (m[0] != "audio" && m[0] != "text") {
					fail("invalid_value", "session.output_modalities", "Invalid modalities: %v. Supported: ['audio'] or ['text'].", m)
					return
				}
				next.modalities = m
			}
		case "tools":
			err = json.Unmarshal(v, &next.tools)
		case "audio":
			if msg, param := c.applyAudio(&next, v, spoken); msg != "" {
				fail("invalid_value", param, "%s", msg)
				return
			}
		default:
			var x any
			err = json.Unmarshal(v, &x)
			next.other[k] = x
		}
		if err != nil {
			fail("invalid_type", "session."+k, "Invalid type for 'session.%s': %v", k, err)
			return
		}
	}
	c.mu.Lock()
	c.sess = next
	obj := c.sess.object(c.id, c.model)
	c.mu.Unlock()
	c.send(map[string]any{"type": "session.updated", "session": obj})
}

// applyAudio applies session.audio; it returns an error message and param.
func (c *Conn) applyAudio(s *session, raw json.RawMessage, spoken bool) (string, string) {
	var a struct {
		Input  map[string]json.RawMessage `json:"input"`
		Output map[string]json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		return "session.audio must be an object: " + err.Error(), "session.audio"
	}
	format := func(v json.RawMessage, param string) (string, string) {
		var f struct {
			Type string `json:"type"`
			Rate int    `json:"rate"`
		}
		if err := json.Unmarshal(v, &f); err != nil {
			return "", "format must be an object"
		}
		switch {
		case f.Type == "audio/pcm" && (f.Rate == 0 || f.Rate == 24000):
		case f.Type == "audio/pcmu" || f.Type == "audio/pcma":
		default:
			return "", fmt.Sprintf("Invalid value for '%s': %s at %d Hz. Supported: audio/pcm (24000), audio/pcmu, audio/pcma.", param, f.Type, f.Rate)
		}
		return f.Type, ""
	}
	for k, v := range a.Input {
		switch k {
		case "format":
			f, msg := format(v, "session.audio.input.format")
			if msg != "" {
				return msg, "session.audio.input.format"
			}
			s.inFormat = f
		case "transcription":
			var t *struct {
				Model string `json:"model"`
			}
			if err := json.Unmarshal(v, &t); err != nil {
				return "transcription must be an object or null", "session.audio.input.transcription"
			}
			s.transcription = ""
			if t != nil {
				if t.Model == "" {
					return "Missing required parameter: 'session.audio.input.transcription.model'.", "session.audio.input.transcription.model"
				}
				s.transcription = t.Model
			}
		case "turn_detection":
			var td *turnDetection
			if err := json.Unmarshal(v, &td); err != nil {
				return "turn_detection must be an object or null", "session.audio.input.turn_detection"
			}
			if td != nil {
				switch td.Type {
				case "server_vad":
					if td.SilenceDurationMS == 0 {
						td.SilenceDurationMS = 500
					}
					if td.PrefixPaddingMS == 0 {
						td.PrefixPaddingMS = 300
					}
				case "semantic_vad":
					td.SilenceDurationMS, td.PrefixPaddingMS = 500, 300
				default:
					return "Invalid value: '" + td.Type + "'. Supported values are: 'server_vad' and 'semantic_vad'.", "session.audio.input.turn_detection.type"
				}
			}
			s.td = td
		case "noise_reduction":
		default:
			return "Unknown parameter: 'session.audio.input." + k + "'.", "session.audio.input." + k
		}
	}
	for k, v := range a.Output {
		switch k {
		case "format":
			f, msg := format(v, "session.audio.output.format")
			if msg != "" {
				return msg, "session.audio.output.format"
			}
			s.outFormat = f
		case "voice":
			var voice string
			if err := json.Unmarshal(v, &voice); err != nil {
				return "voice must be a string", "session.audio.output.voice"
			}
			if spoken && voice != s.voice {
				return "Cannot update a conversation's voice if assistant audio is present.", "session.audio.output.voice"
			}
			s.voice = voice
		case "speed":
		default:
			return "Unknown parameter: 'session.audio.output." + k + "'.", "session.audio.output." + k
		}
	}
	return "", ""
}
