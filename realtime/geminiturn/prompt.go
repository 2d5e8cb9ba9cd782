package geminiturn

import (
	"strconv"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/internal/wav"
	"google.golang.org/genai"
)

// contents converts the prompt: user text, audio (as WAV), images and
// video frames; model text. Turns left empty are skipped and the turns of
// one role they leave adjacent are merged.
func (m *Model) contents(prompt []realtime.Turn) ([]*genai.Content, error) {
	var out []*genai.Content
	for _, turn := range prompt {
		role := genai.RoleUser
		if turn.Role == fullduplex.RoleModel {
			role = genai.RoleModel
		}
		parts := parts(turn)
		if len(parts) == 0 {
			continue
		}
		if n := len(out); n > 0 && out[n-1].Role == role {
			out[n-1].Parts = append(out[n-1].Parts, parts...)
			continue
		}
		out = append(out, &genai.Content{Role: role, Parts: parts})
	}
	if len(out) == 0 || out[len(out)-1].Role != genai.RoleUser {
		return nil, ErrNoInput
	}
	return out, nil
}

func parts(turn realtime.Turn) []*genai.Part {
	var out []*genai.Part
	user := turn.Role != fullduplex.RoleModel
	for _, s := range turn.Symbols {
		switch s.Modality {
		case fullduplex.ModalityText:
			out = append(out, &genai.Part{Text: string(s.Data)})
		case fullduplex.ModalityAudio:
			if !user {
				continue // the model's own speech is not sent back
			}
			if data, err := wav.FromSymbol(s); err == nil {
				out = append(out, &genai.Part{InlineData: &genai.Blob{MIMEType: "audio/wav", Data: data}})
			}
		case fullduplex.ModalityImage, fullduplex.ModalityVideo:
			if user {
				out = append(out, &genai.Part{InlineData: &genai.Blob{MIMEType: s.MIMEType, Data: s.Data}})
			}
		}
	}
	return out
}

// mimeRate returns the rate parameter of a MIME type such as
// "audio/l16;codec=pcm;rate=24000", or 0.
func mimeRate(mt string) int {
	_, params, _ := strings.Cut(mt, ";")
	for _, p := range strings.Split(params, ";") {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		if k == "rate" {
			n, _ := strconv.Atoi(v)
			return n
		}
	}
	return 0
}
