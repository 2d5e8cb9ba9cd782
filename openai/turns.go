package openai

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/heard"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// interruptHold bounds how long the terminator of a cut answer waits for
// the response.done that carries its usage.
const interruptHold = 500 * time.Millisecond

// A response is one model turn: a response of the service.
type response struct {
	id    string
	turn  int
	audio []audioItem // output audio items, in order
	said  bool        // output has been delivered: the answer is under way
	cut   bool        // cut off (barge-in): later output is dropped
	ended bool        // its terminator was delivered before response.done (interruptHold)
	// reported: its cut was truncated to what a PlaybackReporter said
	reported bool
	cutAt    time.Time
	text     map[string]string // item id → text or transcript so far
	order    []string          // item ids of text, in order
}

// An audioItem is the audio of one output item, as received.
type audioItem struct {
	id      string
	content int
	bytes   int // wire bytes received
	heardMS int // after a cut: what the listener heard; -1 before
}

// An inputTurn is a user turn waiting for the answer in progress to end:
// typed text, or (respond only) the answer to committed audio or to tool
// results.
type inputTurn struct {
	text    string
	respond bool
}

// turns is the turn state of a Stream, guarded by its mu.
type turns struct {
	nextID      int
	n           int // model turns started; the MetaTurn of the latest
	resp        *response
	last        *response // the latest ended response
	expect      int       // answers asked for that have not started
	asked       []string  // event ids of response.create written, not started yet
	ourCommits  int       // input_audio_buffer.commit queued, not yet confirmed
	waiting     []inputTurn
	toolOwed    map[string]bool // tool calls not answered yet
	wantAnswer  bool            // tool results are in: ask for an answer once all are
	speech      bool            // the service hears the user speaking
	uncommitted bool            // audio appended since the last commit
	inputClosed bool
	closedAt    time.Time
	deltas      map[string]bool // transcripts (by item id) that had deltas
	kick        chan struct{}   // capacity 1: the state changed outside the reader (wakes it)
	audioMeta   map[string]any  // the Metadata of turn metaTurn's audio, shared by its chunks
	metaTurn    int
}

func newTurns() turns {
	return turns{toolOwed: map[string]bool{}, deltas: map[string]bool{}, kick: make(chan struct{}, 1)}
}

// idle reports whether no answer is under way or asked for.
func (t *turns) idle() bool { return t.resp == nil && t.expect == 0 }

// finished reports whether, after CloseSend, nothing more is owed.
func (t *turns) finished() bool {
	return t.inputClosed && t.idle() && len(t.waiting) == 0 && len(t.toolOwed) == 0 && !t.wantAnswer
}

// SpeechStarted is the Data of the fullduplex.EventMetadata sent when the
// service hears the user start speaking (input_audio_buffer.speech_started);
// AudioStartMS counts from the start of the session's input audio. A plain
// value.
type SpeechStarted struct {
	AudioStartMS int
	ItemID       string
}

// SpeechStopped is the Data of the fullduplex.EventMetadata sent when the
// service hears the user stop speaking; AudioEndMS counts from the start of
// the session's input audio, and At is when that audio was captured (from
// the Timestamps of the audio symbols sent; zero if the stream no longer
// knows). It is a fullduplex.InputEnder, so a session's metrics measure the
// answer from At. A plain value.
type SpeechStopped struct {
	AudioEndMS int
	ItemID     string
	At         time.Time
}

// InputEnd returns At.
func (s SpeechStopped) InputEnd() time.Time { return s.At }

// InputTimeout is the Data of the fullduplex.EventMetadata sent when the
// user has said nothing for TurnDetection.IdleTimeout. A plain value.
type InputTimeout struct{ ItemID string }

// Transcript is the Data of the fullduplex.EventMetadata that carries a
// complete transcript (the service's *.done or *.completed event) after the
// text symbols of its deltas. A plain value.
type Transcript struct {
	Role   string // fullduplex.RoleUser or fullduplex.RoleModel
	Turn   int    // the model turn, for the model's transcripts; 0 for the user's
	ItemID string
	Text   string
}

// Truncated is the Data of the fullduplex.EventMetadata sent when the
// service has truncated a cut answer to what the listener heard
// (conversation.item.truncated). A plain value.
type Truncated struct {
	ItemID       string
	ContentIndex int
	AudioEndMS   int
}

// RateLimit is one entry of rate_limits.updated; the Data of that event's
// fullduplex.EventMetadata is a []RateLimit. A plain value.
type RateLimit struct {
	Name         string  `json:"name"`
	Limit        int     `json:"limit"`
	Remaining    int     `json:"remaining"`
	ResetSeconds float64 `json:"reset_seconds"`
}

// handleLocked maps one server event to the items it gives, in order, and
// queues the client events it calls for. s.mu is held.
func (s *Stream) handleLocked(ev serverEvent, dst []fullduplex.StreamItem) []fullduplex.StreamItem {
	t := &s.t
	now := time.Now()
	meta := func(data any) { dst = append(dst, event(fullduplex.EventMetadata, data, now)) }
	switch ev.Type {
	case "response.created":
		id := ""
		if ev.Response != nil {
			id = ev.Response.ID
		}
		s.startResponseLocked(id)

	case "response.output_audio.delta":
		raw, err := base64.StdEncoding.DecodeString(ev.Delta)
		if err != nil {
			return append(dst, event(fullduplex.EventError, fmt.Errorf("openai: response.output_audio.delta: bad base64 audio: %w", err), now))
		}
		r := s.respLocked(ev.ResponseID)
		r.addAudio(ev.ItemID, ev.ContentIndex, len(raw))
		if r.cut || len(raw) == 0 {
			return dst
		}
		r.said = true
		dst = append(dst, s.outputAudio(raw, r.turn, now))

	case "response.output_audio_transcript.delta", "response.output_text.delta":
		r := s.respLocked(ev.ResponseID)
		if ev.Delta == "" {
			return dst
		}
		r.addText(ev.ItemID, ev.Delta)
		if r.cut {
			return dst
		}
		r.said = true
		t.deltas[ev.ItemID] = true
		dst = append(dst, textSymbol(ev.Delta, fullduplex.RoleModel, r.turn, ev.Type == "response.output_audio_transcript.delta", false, now))

	case "response.output_audio_transcript.done", "response.output_text.done":
		r := s.respLocked(ev.ResponseID)
		text := ev.Transcript
		if ev.Type == "response.output_text.done" {
			text = ev.Text
		}
		if r.cut {
			return dst
		}
		if !t.deltas[ev.ItemID] && text != "" {
			r.addText(ev.ItemID, text)
			r.said = true
			dst = append(dst, textSymbol(text, fullduplex.RoleModel, r.turn, ev.Type == "response.output_audio_transcript.done", true, now))
		}
		delete(t.deltas, ev.ItemID)
		meta(Transcript{Role: fullduplex.RoleModel, Turn: r.turn, ItemID: ev.ItemID, Text: text})

	case "response.function_call_arguments.done":
		r := s.respLocked(ev.ResponseID)
		if r.cut {
			return dst // the call of a cut answer is not made
		}
		args := map[string]any{}
		if ev.Arguments != "" {
			if err := json.Unmarshal([]byte(ev.Arguments), &args); err != nil {
				dst = append(dst, event(fullduplex.EventError, fmt.Errorf("openai: tool call %s (%s): arguments are not a JSON object: %w", ev.CallID, ev.Name, err), now))
				args = map[string]any{}
			}
		}
		r.said = true
		t.toolOwed[ev.CallID] = true
		s.log.addCall(ev.CallID, ev.Name, ev.Arguments)
		dst = append(dst, event(fullduplex.EventToolCall, fullduplex.ToolCall{ID: ev.CallID, Name: ev.Name, Args: args}, now))

	case "response.done":
		dst = s.endResponseLocked(ev.Response, dst, now)

	case "input_audio_buffer.speech_started":
		t.speech = true
		meta(SpeechStarted{AudioStartMS: ev.AudioStartMS, ItemID: ev.ItemID})
		if s.cfg.TurnDetection.NoInterrupt {
			return dst
		}
		// The service cancels the answer in progress by itself.
		if r := t.resp; r != nil && !r.cut {
			s.cutLocked(r, false, now)
		} else if r == nil {
			s.truncateHeardLocked(t.last)
		}

	case "input_audio_buffer.speech_stopped":
		t.speech = false
		var at time.Time
		if s.cur != nil {
			at = s.cur.input.at(ev.AudioEndMS)
		}
		meta(SpeechStopped{AudioEndMS: ev.AudioEndMS, ItemID: ev.ItemID, At: at})

	case "input_audio_buffer.committed":
		t.uncommitted = false
		if t.ourCommits > 0 {
			t.ourCommits--
		} else if s.cfg.vad() {
			t.expect++ // the service answers what its VAD committed
		}
		if ev.ItemID != "" {
			s.log.addUserSpeech(ev.ItemID)
		}

	case "input_audio_buffer.timeout_triggered":
		meta(InputTimeout{ItemID: ev.ItemID})

	case "conversation.item.input_audio_transcription.delta":
		if ev.Delta != "" {
			t.deltas[ev.ItemID] = true
			dst = append(dst, textSymbol(ev.Delta, fullduplex.RoleUser, 0, true, false, now))
		}

	case "conversation.item.input_audio_transcription.completed":
		if !t.deltas[ev.ItemID] && ev.Transcript != "" {
			dst = append(dst, textSymbol(ev.Transcript, fullduplex.RoleUser, 0, true, true, now))
		}
		delete(t.deltas, ev.ItemID)
		s.log.setTranscript(ev.ItemID, ev.Transcript)
		meta(Transcript{Role: fullduplex.RoleUser, ItemID: ev.ItemID, Text: ev.Transcript})

	case "conversation.item.input_audio_transcription.failed":
		delete(t.deltas, ev.ItemID)
		msg := "transcription failed"
		if ev.Error != nil {
			msg = serverError(ev.Error, s.cfg.APIKey).Error()
		}
		dst = append(dst, event(fullduplex.EventError, fmt.Errorf("openai: input transcription of %s: %s", ev.ItemID, msg), now))

	case "conversation.item.truncated":
		meta(Truncated{ItemID: ev.ItemID, ContentIndex: ev.ContentIndex, AudioEndMS: ev.AudioEndMS})

	case "rate_limits.updated":
		meta(append([]RateLimit(nil), ev.RateLimits...))

	case "error":
		w := ev.Error
		if w == nil {
			w = &wireError{Message: "error event without details"}
		}
		se := serverError(w, s.cfg.APIKey)
		for i, id := range t.asked {
			if id != "" && id == se.EventID {
				t.asked = append(t.asked[:i], t.asked[i+1:]...)
				t.expect = max(0, t.expect-1)
				if se.Code == "conversation_already_has_active_response" {
					// Asked too early: ask again when the answer in progress ends.
					t.waiting = append([]inputTurn{{respond: true}}, t.waiting...)
				}
				break
			}
		}
		dst = append(dst, event(fullduplex.EventError, se, now))
	}
	return dst
}

// startResponseLocked begins a model turn.
func (s *Stream) startResponseLocked(id string) *response {
	t := &s.t
	if t.resp != nil && t.resp.id == id && id != "" {
		return t.resp
	}
	t.expect = max(0, t.expect-1)
	if len(t.asked) > 0 {
		t.asked = t.asked[1:]
	}
	t.n++
	t.resp = &response{id: id, turn: t.n, text: map[string]string{}}
	return t.resp
}

// respLocked returns the response an output event belongs to; output
// without response.created starts a turn of its own.
func (s *Stream) respLocked(id string) *response {
	if r := s.t.resp; r != nil && (id == "" || r.id == "" || r.id == id) {
		return r
	}
	if l := s.t.last; l != nil && l.id == id {
		return &response{id: id, turn: l.turn, cut: true, text: map[string]string{}} // late output of an ended turn: dropped
	}
	return s.startResponseLocked(id)
}

func (r *response) addAudio(item string, content, n int) {
	if k := len(r.audio) - 1; k >= 0 && r.audio[k].id == item && r.audio[k].content == content {
		r.audio[k].bytes += n
		return
	}
	r.audio = append(r.audio, audioItem{id: item, content: content, bytes: n, heardMS: -1})
}

func (r *response) addText(item, text string) {
	if _, ok := r.text[item]; !ok {
		r.order = append(r.order, item)
	}
	r.text[item] += text
}

// endResponseLocked ends the turn of response.done: its usage, an
// EventError for a failed response, then its terminator.
func (s *Stream) endResponseLocked(wr *wireResponse, dst []fullduplex.StreamItem, now time.Time) []fullduplex.StreamItem {
	t := &s.t
	id := ""
	if wr != nil {
		id = wr.ID
	}
	r := t.resp
	if r == nil || (id != "" && r.id != "" && r.id != id) {
		return dst // the end of a response the stream has already ended
	}
	if !r.ended {
		if wr != nil && wr.Usage != nil {
			dst = append(dst, event(fullduplex.EventUsage, usage(wr.Usage), now))
		}
		status, reason := "", ""
		if wr != nil {
			status = wr.Status
			if d := wr.StatusDetails; d != nil {
				reason = d.Reason
				if d.Error != nil {
					dst = append(dst, event(fullduplex.EventError, serverError(d.Error, s.cfg.APIKey), now))
				}
			}
		}
		end := s.turnEndLocked(r, "")
		typ := fullduplex.EventStreamEnd
		switch {
		case status == "cancelled" || r.cut:
			typ, end.Reason = fullduplex.EventInterrupt, reason
		case status == "failed" || status == "incomplete":
			end.Reason = status
			if reason != "" {
				end.Reason = reason
			}
		}
		dst = append(dst, event(typ, end, now))
	}
	s.logResponseLocked(r)
	t.last, t.resp = r, nil
	s.dispatchLocked()
	return dst
}

// logResponseLocked logs what the model said in r: of a cut answer, the
// part of each transcript the listener heard.
func (s *Stream) logResponseLocked(r *response) {
	for _, id := range r.order {
		text := r.text[id]
		for _, a := range r.audio {
			if a.id == id && a.heardMS >= 0 {
				text = heard.Part(text, ms(a.heardMS), ms(a.bytes/s.cfg.OutputFormat.bytesPerMS()))
			}
		}
		s.log.addModel(text)
	}
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

// turnEndLocked returns the TurnEnd of r's terminator: for a cut answer,
// with what the listener heard when a reporter said (the audio_end_ms of
// its truncation).
func (s *Stream) turnEndLocked(r *response, reason string) fullduplex.TurnEnd {
	end := fullduplex.TurnEnd{Turn: r.turn, Reason: reason}
	if !r.cut || !r.reported {
		return end
	}
	bpm := s.cfg.OutputFormat.bytesPerMS()
	h := &fullduplex.Heard{}
	for _, a := range r.audio {
		total := a.bytes / bpm
		h.Received += ms(total)
		if a.heardMS >= 0 {
			total = a.heardMS
		}
		h.Audio += ms(total)
	}
	for _, id := range r.order {
		text := r.text[id]
		for _, a := range r.audio {
			if a.id == id && a.heardMS >= 0 {
				text = heard.Part(text, ms(a.heardMS), ms(a.bytes/bpm))
			}
		}
		h.Transcript += text
	}
	end.Heard = h
	return end
}

// cutLocked cuts r off (barge-in): later output is dropped, its audio is
// truncated to what the listener heard, and, for a client interrupt, the
// service is asked to cancel it. Its terminator comes with response.done,
// or after interruptHold.
func (s *Stream) cutLocked(r *response, cancel bool, now time.Time) {
	r.cut, r.cutAt = true, now
	if cancel {
		s.q.add(outFrame{data: encode(clientEvent{Type: "response.cancel", ResponseID: r.id})})
	}
	s.truncateLocked(r, true)
}

// truncateHeardLocked truncates the audio of an ended answer that the
// listener has not heard all of (a reporter says so).
func (s *Stream) truncateHeardLocked(r *response) {
	if r == nil {
		return
	}
	if _, ok := s.played(r.turn); ok {
		s.truncateLocked(r, false)
	}
}

// truncateLocked sends conversation.item.truncate for r's audio: each
// item to what the listener heard of it (the reporter's Played, clamped to
// the audio received; everything received without a reporter). With all
// false, items heard in full are left alone.
func (s *Stream) truncateLocked(r *response, all bool) {
	played, ok := s.played(r.turn)
	if all && ok {
		r.reported = true
	}
	bpm := s.cfg.OutputFormat.bytesPerMS()
	offset := 0
	for i := range r.audio {
		a := &r.audio[i]
		total := a.bytes / bpm
		heard := total
		if ok {
			heard = min(max(int(played.Milliseconds())-offset, 0), total)
		}
		offset += total
		if a.heardMS >= 0 && a.heardMS <= heard {
			continue // truncated already, at or before this point
		}
		if !all && heard >= total {
			continue
		}
		a.heardMS = heard
		s.q.add(outFrame{data: encode(clientEvent{
			Type: "conversation.item.truncate", ItemID: a.id,
			ContentIndex: intp(a.content), AudioEndMS: intp(heard),
		})})
	}
}

// dispatchLocked starts the next input turn that waits, or asks for the
// answer to tool results, when no answer is under way.
func (s *Stream) dispatchLocked() {
	t := &s.t
	if !t.idle() {
		return
	}
	if len(t.waiting) > 0 {
		in := t.waiting[0]
		t.waiting = t.waiting[1:]
		s.sendTurnLocked(in)
		return
	}
	if t.wantAnswer && len(t.toolOwed) == 0 {
		t.wantAnswer = false
		s.askLocked()
	}
}

// sendTurnLocked queues an input turn and the request for its answer.
func (s *Stream) sendTurnLocked(in inputTurn) {
	if !in.respond {
		seq := s.log.addUserText(in.text)
		item := message("user", "input_text", in.text)
		s.q.add(outFrame{data: encode(clientEvent{Type: "conversation.item.create", Item: &item}), kind: frameItem, seq: seq})
	}
	s.askLocked()
}

// askLocked queues response.create.
func (s *Stream) askLocked() {
	id := s.newEventIDLocked()
	s.t.expect++
	s.q.add(outFrame{data: encode(clientEvent{Type: "response.create", EventID: id}), kind: frameResponseCreate, eventID: id})
}

// outputAudio returns the audio symbol of raw wire audio.
func (s *Stream) outputAudio(raw []byte, turn int, now time.Time) fullduplex.Symbol {
	rate := s.cfg.OutputFormat.rate()
	data := raw
	switch s.cfg.OutputFormat {
	case FormatPCMU:
		data = pcm.EncodeInt16(nil, pcm.AppendMuLawDecoded(nil, raw))
	case FormatPCMA:
		data = pcm.EncodeInt16(nil, pcm.AppendALawDecoded(nil, raw))
	}
	if len(data)%2 == 1 {
		data = data[:len(data)-1]
	}
	if s.t.audioMeta == nil || s.t.metaTurn != turn {
		// One map for all of a turn's audio (Metadata is read-only once
		// received): a chunk allocates none.
		s.t.audioMeta = map[string]any{
			fullduplex.MetaSampleRate: rate,
			fullduplex.MetaChannels:   1,
			fullduplex.MetaRole:       fullduplex.RoleModel,
			fullduplex.MetaTurn:       turn,
		}
		s.t.metaTurn = turn
	}
	return fullduplex.Symbol{
		Modality:  fullduplex.ModalityAudio,
		Data:      data,
		MIMEType:  fullduplex.PCMMIMEType(rate),
		Timestamp: now,
		Metadata:  s.t.audioMeta,
	}
}

func textSymbol(text, role string, turn int, transcript, final bool, now time.Time) fullduplex.Symbol {
	md := map[string]any{fullduplex.MetaRole: role}
	if role == fullduplex.RoleModel {
		md[fullduplex.MetaTurn] = turn
	}
	if transcript {
		md[fullduplex.MetaTranscript] = true
		md[fullduplex.MetaFinal] = final
	}
	return fullduplex.Symbol{Modality: fullduplex.ModalityText, Data: []byte(text), MIMEType: fullduplex.TextMIMEType, Timestamp: now, Metadata: md}
}

func event(t fullduplex.EventType, data any, now time.Time) fullduplex.StreamEvent {
	return fullduplex.StreamEvent{Type: t, Data: data, Timestamp: now}
}

func usage(u *wireUsage) fullduplex.Usage {
	out := fullduplex.Usage{InputTokens: u.InputTokens, OutputTokens: u.OutputTokens, TotalTokens: u.TotalTokens}
	if d := u.Input; d != nil {
		out.CachedTokens = d.CachedTokens
		out.InputByModality = byModality(d.TextTokens, d.AudioTokens, d.ImageTokens)
		if c := d.Cached; c != nil {
			out.CachedByModality = byModality(c.TextTokens, c.AudioTokens, c.ImageTokens)
		}
	}
	if d := u.Output; d != nil {
		out.OutputByModality = byModality(d.TextTokens, d.AudioTokens, d.ImageTokens)
	}
	return out
}

func byModality(text, audio, image int) map[fullduplex.Modality]int {
	var m map[fullduplex.Modality]int
	for _, e := range []struct {
		mod fullduplex.Modality
		n   int
	}{{fullduplex.ModalityText, text}, {fullduplex.ModalityAudio, audio}, {fullduplex.ModalityImage, image}} {
		if e.n > 0 {
			if m == nil {
				m = map[fullduplex.Modality]int{}
			}
			m[e.mod] = e.n
		}
	}
	return m
}

// wake wakes the reader, to look at the state again.
func (t *turns) wake() {
	select {
	case t.kick <- struct{}{}:
	default:
	}
}
