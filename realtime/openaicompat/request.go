package openaicompat

import (
	"encoding/base64"
	"maps"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/internal/wav"
)

// A message is one chat message; Content is a string when it holds only
// text, else a list of parts.
type message struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// A part is one element of a multimodal message's content.
type part struct {
	Type       string      `json:"type"`
	Text       string      `json:"text,omitempty"`
	InputAudio *inputAudio `json:"input_audio,omitempty"`
	ImageURL   *imageURL   `json:"image_url,omitempty"`
}

type inputAudio struct {
	Data   string `json:"data"`
	Format string `json:"format"`
}

type imageURL struct {
	URL string `json:"url"`
}

// body returns the request body for prompt.
func (m *Model) body(prompt []realtime.Turn) (map[string]any, error) {
	var msgs []message
	if m.cfg.SystemInstruction != "" {
		msgs = append(msgs, message{Role: "system", Content: m.cfg.SystemInstruction})
	}
	var pending []part
	role := ""
	flush := func() {
		if len(pending) > 0 {
			msgs = append(msgs, message{Role: role, Content: content(pending)})
		}
		pending = nil
	}
	for _, turn := range prompt {
		r := "user"
		if turn.Role == fullduplex.RoleModel {
			r = "assistant"
		}
		parts := m.parts(turn)
		if len(parts) == 0 {
			continue
		}
		if r != role {
			flush()
			role = r
		}
		pending = append(pending, parts...) // turns of one role, made adjacent by a skipped turn, merge
	}
	lastRole := role
	flush()
	if lastRole != "user" {
		return nil, ErrNoInput
	}
	body := make(map[string]any, len(m.cfg.Extra)+6)
	if !m.cfg.NoUsage {
		body["stream_options"] = map[string]any{"include_usage": true}
	}
	maps.Copy(body, m.cfg.Extra)
	body["messages"] = msgs
	body["stream"] = true
	if m.cfg.Model != "" {
		body["model"] = m.cfg.Model
	}
	if m.cfg.MaxTokens > 0 {
		body["max_tokens"] = m.cfg.MaxTokens
	}
	if m.cfg.Temperature != nil {
		body["temperature"] = *m.cfg.Temperature
	}
	return body, nil
}

// parts converts what the model takes of one turn.
func (m *Model) parts(turn realtime.Turn) []part {
	var out []part
	for _, s := range turn.Symbols {
		switch s.Modality {
		case fullduplex.ModalityText:
			out = append(out, part{Type: "text", Text: string(s.Data)})
		case fullduplex.ModalityAudio:
			if m.cfg.Audio && turn.Role == fullduplex.RoleUser {
				if data, err := wav.FromSymbol(s); err == nil {
					out = append(out, part{Type: "input_audio", InputAudio: &inputAudio{Data: base64.StdEncoding.EncodeToString(data), Format: "wav"}})
				}
			}
		case fullduplex.ModalityImage, fullduplex.ModalityVideo:
			if m.cfg.Images && turn.Role == fullduplex.RoleUser {
				url := "data:" + s.MIMEType + ";base64," + base64.StdEncoding.EncodeToString(s.Data)
				out = append(out, part{Type: "image_url", ImageURL: &imageURL{URL: url}})
			}
		}
	}
	return out
}

// content is a plain string when every part is text, else the parts.
func content(parts []part) any {
	texts := make([]string, 0, len(parts))
	for _, p := range parts {
		if p.Type != "text" {
			return parts
		}
		texts = append(texts, p.Text)
	}
	return strings.Join(texts, "\n")
}
