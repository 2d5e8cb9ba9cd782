package gemini

import (
	"fmt"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/heard"
	"google.golang.org/genai"
)

// GenerationComplete is the Data of the fullduplex.EventMetadata sent when
// the model has generated all of a turn (its audio may still be playing).
// It is a plain value, safe to share.
type GenerationComplete struct{ Turn int }

// WaitingForInput is the Data of the fullduplex.EventMetadata sent when the
// service says the model is not generating because it expects the user to go
// on (serverContent.waitingForInput). It is a plain value, safe to share.
type WaitingForInput struct{ Turn int }

// InteractionStatus is the Data of the fullduplex.EventMetadata that carries
// serverContent.interactionStatus, which the service sends with the end of a
// turn: "IN_PROGRESS" (more output may follow, e.g. background reasoning)
// or "IDLE". It comes before the turn's terminator. It is a plain value,
// safe to share.
type InteractionStatus struct {
	Turn   int
	Status string
}

// Thought is the Data of the fullduplex.EventMetadata that carries a
// thought summary part; thoughts are not text symbols, so a transcript
// printer does not show them. It is a plain value, safe to share.
type Thought struct {
	Text string
	Turn int
}

// Metadata keys the gemini stream adds to transcript symbols.
const (
	// MetaLanguage is the BCP-47 language code the service gave a
	// transcription (string), when it gave one.
	MetaLanguage = "language"
	// MetaInterim marks a user transcript from
	// serverContent.interimInputTranscription (bool true): a low-latency
	// guess the service updates while the user speaks, superseded by the
	// regular (MetaInterim absent) transcription. Its MetaFinal is false.
	MetaInterim = "interim"
)

// A mapper turns server messages into stream items, in the turn grammar of
// fullduplex.DuplexStream: every model turn ends with exactly one
// terminator, and the items a frame carries come before the terminator it
// carries. It is used by one goroutine at a time (the reader of the current
// connection).
//
// The service ends a cut turn with two frames: {"interrupted": true}, then
// {"turnComplete": true} with the turn's usageMetadata (and reason). The
// EventInterrupt is therefore held (see held) until that turnComplete
// arrives, so that the usage lands before it; the reader releases it at the
// latest after interruptHold, or as soon as a frame of the next turn (model
// output, a tool call) arrives. The turnComplete that follows an interrupted
// turn ends nothing more.
type mapper struct {
	outRate int
	turn    int
	// cut is true after an interrupt until the model's next output, so the
	// turnComplete that follows an interrupted turn does not count twice.
	cut bool
	// held is the terminator of a cut turn waiting for the rest of the
	// turn (its usage); nil when none waits.
	held *fullduplex.StreamEvent
	// audioMeta is the Metadata of the model audio of turn metaTurn at
	// rate metaRate, shared by all of that turn's chunks (Metadata is
	// read-only once received), so a chunk allocates no map.
	audioMeta          map[string]any
	metaTurn, metaRate int
	// played says how much of a turn the listener heard, when the stream
	// has a PlaybackReporter (see Stream.UsePlayback); nil in tests of the
	// mapper alone.
	played func(turn int) (time.Duration, bool)
	// said is the current turn's output transcript and audio so far; cutSaid
	// is the held (cut) turn's, which late transcription still extends.
	said, cutSaid turnSaid
}

// turnSaid is what a model turn has said so far: its output transcript
// and the length of its audio.
type turnSaid struct {
	transcript []byte
	audio      time.Duration
}

func (t *turnSaid) reset() { *t = turnSaid{transcript: t.transcript[:0]} }

// audioMetaFor returns the shared Metadata of the current turn's audio at
// rate.
func (m *mapper) audioMetaFor(rate int) map[string]any {
	if m.audioMeta == nil || m.metaTurn != m.turn || m.metaRate != rate {
		m.audioMeta = map[string]any{
			fullduplex.MetaSampleRate: rate,
			fullduplex.MetaChannels:   1,
			fullduplex.MetaRole:       fullduplex.RoleModel,
			fullduplex.MetaTurn:       m.turn,
		}
		m.metaTurn, m.metaRate = m.turn, rate
	}
	return m.audioMeta
}

// interruptHold bounds how long the EventInterrupt of a cut turn waits for
// the turnComplete (and usage) that the service sends right after it.
const interruptHold = 250 * time.Millisecond

// holding reports whether a terminator is held.
func (m *mapper) holding() bool { return m.held != nil }

// release appends the held terminator, if any, to dst.
func (m *mapper) release(dst []fullduplex.StreamItem) []fullduplex.StreamItem {
	if m.held == nil {
		return dst
	}
	ev := *m.held
	te := ev.Data.(fullduplex.TurnEnd)
	te.Heard = m.heard(te.Turn, &m.cutSaid)
	ev.Data = te
	m.held = nil
	m.cutSaid.reset()
	return append(dst, ev)
}

// heard returns what the listener heard of the cut turn that said said,
// when a reporter says how much of it was played; nil otherwise. It reads
// the play position as the terminator goes out: the sink is flushed right
// after, when the session receives it.
func (m *mapper) heard(turn int, said *turnSaid) *fullduplex.Heard {
	if m.played == nil {
		return nil
	}
	played, ok := m.played(turn)
	if !ok {
		return nil
	}
	return heard.Of(string(said.transcript), played, said.audio)
}

// items appends to dst, in order, every item msg carries, the frame's
// terminator last. The setupComplete is dropped: Connect has already
// reported it.
func (m *mapper) items(dst []fullduplex.StreamItem, msg *genai.LiveServerMessage) []fullduplex.StreamItem {
	if msg == nil {
		return dst
	}
	now := time.Now()
	sc := msg.ServerContent
	if m.held != nil && (msg.ToolCall != nil || (sc != nil && sc.ModelTurn != nil && len(sc.ModelTurn.Parts) > 0)) {
		dst = m.release(dst) // the next turn has begun
	}
	if sc != nil {
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
	if sc != nil {
		dst = m.terminate(dst, sc, now)
	}
	return dst
}

// content appends the items of sc other than its terminator.
func (m *mapper) content(dst []fullduplex.StreamItem, sc *genai.LiveServerContent, now time.Time) []fullduplex.StreamItem {
	if t := sc.InterimInputTranscription; t != nil && t.Text != "" {
		s := m.transcript(t, fullduplex.RoleUser, now)
		s.Metadata[fullduplex.MetaFinal] = false
		s.Metadata[MetaInterim] = true
		dst = append(dst, s)
	}
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
	// The turn an item belongs to: after an interrupt the counter has moved
	// on, but what comes before the turnComplete still belongs to the cut
	// turn.
	turn := m.turn
	if m.cut {
		turn--
	}
	if t := sc.OutputTranscription; t != nil && t.Text != "" {
		s := m.transcript(t, fullduplex.RoleModel, now)
		s.Metadata[fullduplex.MetaTurn] = turn
		dst = append(dst, s)
		if m.cut {
			m.cutSaid.transcript = append(m.cutSaid.transcript, t.Text...)
		} else {
			m.said.transcript = append(m.said.transcript, t.Text...)
		}
	}
	if sc.GroundingMetadata != nil {
		dst = append(dst, event(fullduplex.EventMetadata, sc.GroundingMetadata, now))
	}
	if sc.URLContextMetadata != nil {
		dst = append(dst, event(fullduplex.EventMetadata, sc.URLContextMetadata, now))
	}
	if sc.GenerationComplete {
		dst = append(dst, event(fullduplex.EventMetadata, GenerationComplete{Turn: turn}, now))
	}
	if sc.WaitingForInput {
		dst = append(dst, event(fullduplex.EventMetadata, WaitingForInput{Turn: turn}, now))
	}
	if sc.InteractionStatus != "" {
		dst = append(dst, event(fullduplex.EventMetadata, InteractionStatus{Turn: turn, Status: string(sc.InteractionStatus)}, now))
	}
	return dst
}

// terminate appends the terminator sc carries, if any, and moves the turn
// counter on. An interrupted turn's terminator is held (see mapper) unless
// the same frame completes the turn.
func (m *mapper) terminate(dst []fullduplex.StreamItem, sc *genai.LiveServerContent, now time.Time) []fullduplex.StreamItem {
	reason := string(sc.TurnCompleteReason)
	if reason == string(genai.TurnCompleteReasonUnspecified) {
		reason = ""
	}
	switch {
	case sc.Interrupted:
		if m.held != nil { // a second interrupt: the first is final
			dst = m.release(dst)
		}
		ev := event(fullduplex.EventInterrupt, fullduplex.TurnEnd{Turn: m.turn, Reason: reason}, now)
		m.turn++
		m.cutSaid, m.said = m.said, turnSaid{transcript: m.cutSaid.transcript[:0]}
		m.held = &ev
		if sc.TurnComplete {
			m.cut = false
			return m.release(dst)
		}
		m.cut = true
	case sc.TurnComplete && m.cut:
		// The end of the cut turn: it completes the held terminator.
		m.cut = false
		if m.held != nil {
			if reason != "" {
				te := m.held.Data.(fullduplex.TurnEnd)
				te.Reason = reason
				m.held.Data = te
			}
			dst = m.release(dst)
		}
	case sc.TurnComplete:
		dst = m.release(dst)
		dst = append(dst, event(fullduplex.EventStreamEnd, fullduplex.TurnEnd{Turn: m.turn, Reason: reason}, now))
		m.turn++
		m.said.reset()
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
			data := b.Data
			if len(data)%2 != 0 {
				// Half a sample: never emit a symbol that fails Validate
				// (a speaker would refuse it and end the session).
				dst = append(dst, event(fullduplex.EventError, &FrameError{Err: fmt.Errorf(
					"%w: model audio of %d bytes is not a whole number of 16-bit samples; its last byte was dropped",
					fullduplex.ErrInvalidSymbol, len(data))}, now))
				data = data[:len(data)-1]
				if len(data) == 0 {
					return dst
				}
			}
			if rate > 0 {
				m.said.audio += time.Duration(len(data)/2) * time.Second / time.Duration(rate)
			}
			dst = append(dst, fullduplex.Symbol{
				Modality:  fullduplex.ModalityAudio,
				Data:      data,
				MIMEType:  fullduplex.PCMMIMEType(rate),
				Timestamp: now,
				Metadata:  m.audioMetaFor(rate),
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
	mime := b.MIMEType
	if mime == "" {
		mime = "application/octet-stream" // a symbol without one fails Validate
	}
	return fullduplex.Symbol{
		Modality: mod, Data: b.Data, MIMEType: mime, Timestamp: now,
		Metadata: map[string]any{fullduplex.MetaRole: fullduplex.RoleModel, fullduplex.MetaTurn: m.turn},
	}
}

func (m *mapper) transcript(t *genai.Transcription, role string, now time.Time) fullduplex.Symbol {
	s := fullduplex.Symbol{
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
	if t.LanguageCode != "" {
		s.Metadata[MetaLanguage] = t.LanguageCode
	}
	return s
}

func event(t fullduplex.EventType, data any, now time.Time) fullduplex.StreamEvent {
	return fullduplex.StreamEvent{Type: t, Data: data, Timestamp: now}
}

func usage(um *genai.UsageMetadata) fullduplex.Usage {
	return fullduplex.Usage{
		InputTokens:       int(um.PromptTokenCount),
		OutputTokens:      int(um.ResponseTokenCount),
		TotalTokens:       int(um.TotalTokenCount),
		CachedTokens:      int(um.CachedContentTokenCount),
		ThoughtsTokens:    int(um.ThoughtsTokenCount),
		ToolUseTokens:     int(um.ToolUsePromptTokenCount),
		InputByModality:   byModality(um.PromptTokensDetails),
		OutputByModality:  byModality(um.ResponseTokensDetails),
		CachedByModality:  byModality(um.CacheTokensDetails),
		ToolUseByModality: byModality(um.ToolUsePromptTokensDetails),
	}
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
