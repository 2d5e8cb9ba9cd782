package gemini

import (
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// GenerationComplete is the Data of the fullduplex.EventMetadata sent when
// the model has generated all of a turn (its audio may still be playing).
// It is a plain value, safe to share.
type GenerationComplete struct{ Turn int }

// Thought is the Data of the fullduplex.EventMetadata that carries a
// thought summary part; thoughts are not text symbols, so a transcript
// printer does not show them. It is a plain value, safe to share.
type Thought struct {
	Text string
	Turn int
}

// A mapper turns server messages into stream items. It counts model turns:
// a turn ends with turnComplete or interrupted (the turnComplete that follows
// an interrupted turn does not start another);
// it is used by one goroutine at a time.
type mapper struct {
	outRate int
	turn    int
	// cut is true after an interrupt until the model's next output, so the
	// turnComplete that follows an interrupted turn does not count twice.
	cut bool
}

// items appends to dst, in order, every item msg carries. The setupComplete
// is dropped: Connect has already reported it.
func (m *mapper) items(dst []fullduplex.StreamItem, msg *genai.LiveServerMessage) []fullduplex.StreamItem {
	if msg == nil {
		return dst
	}
	now := time.Now()
	if sc := msg.ServerContent; sc != nil {
		dst = m.content(dst, sc, now)
	}
	if tc := msg.ToolCall; tc != nil {
		for _, fc := range tc.FunctionCalls {
			if fc == nil {
				continue
			}
			args := fc.Args
			if args == nil {
				args = map[string]any{}
			}
			dst = append(dst, event(fullduplex.EventToolCall, fullduplex.ToolCall{ID: fc.ID, Name: fc.Name, Args: args}, now))
		}
	}
	if tcc := msg.ToolCallCancellation; tcc != nil {
		dst = append(dst, event(fullduplex.EventToolCancel, append([]string{}, tcc.IDs...), now))
	}
	if um := msg.UsageMetadata; um != nil {
		dst = append(dst, event(fullduplex.EventUsage, usage(um), now))
	}
	if msg.GoAway != nil {
		dst = append(dst, event(fullduplex.EventMetadata, msg.GoAway, now))
	}
	if msg.SessionResumptionUpdate != nil {
		dst = append(dst, event(fullduplex.EventMetadata, msg.SessionResumptionUpdate, now))
	}
	if msg.VoiceActivity != nil {
		dst = append(dst, event(fullduplex.EventMetadata, msg.VoiceActivity, now))
	}
	if msg.VoiceActivityDetectionSignal != nil {
		dst = append(dst, event(fullduplex.EventMetadata, msg.VoiceActivityDetectionSignal, now))
	}
	return dst
}

func (m *mapper) content(dst []fullduplex.StreamItem, sc *genai.LiveServerContent, now time.Time) []fullduplex.StreamItem {
	if t := sc.InputTranscription; t != nil && t.Text != "" {
		dst = append(dst, m.transcript(t, fullduplex.RoleUser, now))
	}
	if mt := sc.ModelTurn; mt != nil {
		if len(mt.Parts) > 0 {
			m.cut = false
		}
		for _, p := range mt.Parts {
			if p == nil {
				continue
			}
			dst = m.part(dst, p, now)
		}
	}
	if t := sc.OutputTranscription; t != nil && t.Text != "" {
		dst = append(dst, m.transcript(t, fullduplex.RoleModel, now))
	}
	if sc.GroundingMetadata != nil {
		dst = append(dst, event(fullduplex.EventMetadata, sc.GroundingMetadata, now))
	}
	if sc.URLContextMetadata != nil {
		dst = append(dst, event(fullduplex.EventMetadata, sc.URLContextMetadata, now))
	}
	if sc.GenerationComplete {
		dst = append(dst, event(fullduplex.EventMetadata, GenerationComplete{Turn: m.turn}, now))
	}
	if sc.Interrupted {
		dst = append(dst, event(fullduplex.EventInterrupt, nil, now))
	}
	if sc.TurnComplete {
		dst = append(dst, event(fullduplex.EventStreamEnd, nil, now))
	}
	switch {
	case sc.Interrupted:
		m.turn++
		m.cut = true
	case sc.TurnComplete && !m.cut:
		m.turn++
	case sc.TurnComplete:
		m.cut = false
	}
	return dst
}

func (m *mapper) part(dst []fullduplex.StreamItem, p *genai.Part, now time.Time) []fullduplex.StreamItem {
	switch {
	case p.Thought:
		if p.Text != "" {
			dst = append(dst, event(fullduplex.EventMetadata, Thought{Text: p.Text, Turn: m.turn}, now))
		}
	case p.InlineData != nil && len(p.InlineData.Data) > 0:
		b := p.InlineData
		switch {
		case strings.HasPrefix(b.MIMEType, "audio/"):
			rate := mimeRate(b.MIMEType)
			if rate <= 0 {
				rate = m.outRate
			}
			dst = append(dst, fullduplex.Symbol{
				Modality:  fullduplex.ModalityAudio,
				Data:      b.Data,
				MIMEType:  fullduplex.PCMMIMEType(rate),
				Timestamp: now,
				Metadata: map[string]any{
					fullduplex.MetaSampleRate: rate,
					fullduplex.MetaChannels:   1,
					fullduplex.MetaRole:       fullduplex.RoleModel,
					fullduplex.MetaTurn:       m.turn,
				},
			})
		case strings.HasPrefix(b.MIMEType, "video/"):
			dst = append(dst, m.media(fullduplex.ModalityVideo, b, now))
		default:
			dst = append(dst, m.media(fullduplex.ModalityImage, b, now))
		}
	case p.Text != "":
		dst = append(dst, fullduplex.Symbol{
			Modality:  fullduplex.ModalityText,
			Data:      []byte(p.Text),
			MIMEType:  fullduplex.TextMIMEType,
			Timestamp: now,
			Metadata:  map[string]any{fullduplex.MetaRole: fullduplex.RoleModel, fullduplex.MetaTurn: m.turn},
		})
	case p.ExecutableCode != nil || p.CodeExecutionResult != nil || p.FunctionCall != nil || p.FileData != nil:
		dst = append(dst, event(fullduplex.EventMetadata, p, now))
	}
	return dst
}

func (m *mapper) media(mod fullduplex.Modality, b *genai.Blob, now time.Time) fullduplex.Symbol {
	return fullduplex.Symbol{
		Modality: mod, Data: b.Data, MIMEType: b.MIMEType, Timestamp: now,
		Metadata: map[string]any{fullduplex.MetaRole: fullduplex.RoleModel, fullduplex.MetaTurn: m.turn},
	}
}

func (m *mapper) transcript(t *genai.Transcription, role string, now time.Time) fullduplex.Symbol {
	return fullduplex.Symbol{
		Modality:  fullduplex.ModalityText,
		Data:      []byte(t.Text),
		MIMEType:  fullduplex.TextMIMEType,
		Timestamp: now,
		Metadata: map[string]any{
			fullduplex.MetaRole:       role,
			fullduplex.MetaTranscript: true,
			fullduplex.MetaFinal:      t.Finished,
			fullduplex.MetaTurn:       m.turn,
		},
	}
}

func event(t fullduplex.EventType, data any, now time.Time) fullduplex.StreamEvent {
	return fullduplex.StreamEvent{Type: t, Data: data, Timestamp: now}
}

func usage(um *genai.UsageMetadata) fullduplex.Usage {
	u := fullduplex.Usage{
		InputTokens:  int(um.PromptTokenCount),
		OutputTokens: int(um.ResponseTokenCount),
		TotalTokens:  int(um.TotalTokenCount),
	}
	u.InputByModality = byModality(um.PromptTokensDetails)
	u.OutputByModality = byModality(um.ResponseTokensDetails)
	return u
}

func byModality(details []*genai.ModalityTokenCount) map[fullduplex.Modality]int {
	var out map[fullduplex.Modality]int
	for _, d := range details {
		if d == nil {
			continue
		}
		var m fullduplex.Modality
		switch d.Modality {
		case genai.MediaModalityAudio:
			m = fullduplex.ModalityAudio
		case genai.MediaModalityText:
			m = fullduplex.ModalityText
		case genai.MediaModalityImage:
			m = fullduplex.ModalityImage
		case genai.MediaModalityVideo:
			m = fullduplex.ModalityVideo
		default:
			continue
		}
		if out == nil {
			out = make(map[fullduplex.Modality]int)
		}
		out[m] += int(d.TokenCount)
	}
	return out
}

// mimeRate returns the rate parameter of a MIME type such as
// "audio/pcm;rate=24000", or 0.
func mimeRate(mime string) int {
	_, params, _ := strings.Cut(mime, ";")
	for params != "" {
		var p string
		p, params, _ = strings.Cut(params, ";")
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if !ok || !strings.EqualFold(k, "rate") {
			continue
		}
		n := 0
		for _, c := range strings.TrimSpace(v) {
			if c < '0' || c > '9' || n > 1e7 {
				return 0
			}
			n = n*10 + int(c-'0')
		}
		return n
	}
	return 0
}
