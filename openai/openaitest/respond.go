package openaitest

import (
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A Reply scripts one response. A plain value.
type Reply struct {
	// Text is what the model says, in parts: output_text deltas for a text
	// session, output_audio_transcript deltas for an audio one.
	Text []string
	// Audio is the answer's audio, in chunks of 16-bit PCM at 24 kHz (the
	// server encodes it to the session's output format). An audio session
	// only; a text session drops it.
	Audio [][]byte
	// ToolCalls are function calls the model makes, after its text and audio.
	ToolCalls []ToolCall
	// Usage is the response's usage; nil gives a usage computed from the
	// reply's size.
	Usage *Usage
	// Hang stops the response after its first delta, as a model in the
	// middle of a long answer: it goes on only when cancelled.
	Hang bool
	// BargeIn makes the user "speak" after the first delta: the server says
	// input_audio_buffer.speech_started and cancels the response, as
	// server_vad does.
	BargeIn bool
	// Pace is the wait between deltas. Default none.
	Pace time.Duration
	// Status ends the response with "failed" or "incomplete" instead of
	// "completed".
	Status string
}

// A ToolCall is a function call in a Reply.
type ToolCall struct {
	CallID    string
	Name      string
	Arguments string // JSON
}

// Usage is a response's usage, in the service's shape (the fields the
// client reads).
type Usage struct {
	InputTokens, OutputTokens           int
	InputText, InputAudio, CachedTokens int
	CachedText, CachedAudio             int
	OutputText, OutputAudio             int
}

func (u *Usage) wire() map[string]any {
	return map[string]any{
		"total_tokens": u.InputTokens + u.OutputTokens, "input_tokens": u.InputTokens, "output_tokens": u.OutputTokens,
		"input_token_details": map[string]any{
			"text_tokens": u.InputText, "audio_tokens": u.InputAudio, "cached_tokens": u.CachedTokens,
			"cached_tokens_details": map[string]any{"text_tokens": u.CachedText, "audio_tokens": u.CachedAudio},
		},
		"output_token_details": map[string]any{"text_tokens": u.OutputText, "audio_tokens": u.OutputAudio},
	}
}

// Tone returns ms of a 16-bit PCM sine tone at rate.
func Tone(freq float64, rate, ms int) []byte {
	n := rate * ms / 1000
	b := make([]byte, 2*n)
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(b[2*i:], uint16(v))
	}
	return b
}

// A playing response. cancelled is closed once, by cancel or stop.
type playing struct {
	id        string
	once      sync.Once
	cancelled chan struct{}
	reason    string // why it was cancelled; written before cancelled closes
}

func (p *playing) cancel(reason string) {
	p.once.Do(func() {
		p.reason = reason
		close(p.cancelled)
	})
}

func (p *playing) stop() { p.cancel("") }

// startResponse plays the next reply (scripted, else the echo model's) on
// a goroutine of its own.
func (c *Conn) startResponse(wg *sync.WaitGroup) {
	reply, ok := c.srv.nextReply()
	c.mu.Lock()
	if !ok && c.srv.opts.Echo {
		reply = c.echoLocked()
	}
	p := &playing{id: c.newIDLocked("resp"), cancelled: make(chan struct{})}
	c.resp = p
	c.mu.Unlock()
	c.send(map[string]any{"type": "response.created", "response": map[string]any{
		"id": p.id, "object": "realtime.response", "status": "in_progress", "output": []any{},
	}})
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.play(p, reply)
	}()
}

// echoLocked is the echo model's reply to the last user item.
func (c *Conn) echoLocked() Reply {
	var last *item
	for i := len(c.conv) - 1; i >= 0; i-- {
		if it := c.conv[i]; it.Role == "user" || it.Type == "function_call_output" {
			last = it
			break
		}
	}
	if last == nil {
		return Reply{Text: []string{"echo: (nothing)"}}
	}
	if last.Type == "function_call_output" {
		return Reply{Text: []string{"echo: the tool said " + last.Output}, Audio: [][]byte{Tone(440, 24000, 100)}}
	}
	if len(last.audio) > 0 {
		samples, rate := decode(last.format, last.audio)
		if rate != 24000 {
			r, _ := pcm.NewResampler(rate, 24000)
			samples = r.Flush(r.Process(nil, samples))
		}
		audio := pcm.EncodeInt16(nil, samples)
		var chunks [][]byte
		for len(audio) > 0 {
			n := min(len(audio), 4800) // 100 ms
			chunks = append(chunks, audio[:n])
			audio = audio[n:]
		}
		return Reply{Text: []string{fmt.Sprintf("echo: %d ms of audio", last.audioMS())}, Audio: chunks}
	}
	var text string
	for _, ct := range last.Content {
		text += ct.Text
	}
	return Reply{Text: []string{"echo: " + text}, Audio: [][]byte{Tone(440, 24000, 100), Tone(440, 24000, 100)}}
}

// play sends the events of one response, in the service's order, and its
// end: completed, or cancelled as soon as it is cancelled.
func (c *Conn) play(p *playing, r Reply) {
	c.mu.Lock()
	audioOut := c.sess.audioOut()
	format := c.sess.outFormat
	prev := c.lastItemIDLocked()
	msg := &item{ID: c.newIDLocked("item"), Type: "message", Role: "assistant", Status: "in_progress"}
	if audioOut {
		msg.format = format
		msg.Content = []content{{Type: "output_audio"}}
	} else {
		msg.Content = []content{{Type: "output_text"}}
	}
	hasMsg := len(r.Text) > 0 || (audioOut && len(r.Audio) > 0)
	if hasMsg {
		c.conv = append(c.conv, msg)
	}
	c.mu.Unlock()
	if !audioOut {
		r.Audio = nil
	}

	var output []item
	status, reason := "completed", ""
	cancelled := func() bool {
		select {
		case <-p.cancelled:
			status, reason = "cancelled", p.reason
			return true
		default:
			return false
		}
	}
	var text strings.Builder
	deltas := 0
	// step sends one delta and applies Hang, BargeIn and Pace after it; it
	// reports false when the response is over.
	step := func(ev map[string]any) bool {
		if cancelled() {
			return false
		}
		c.send(ev)
		deltas++
		if deltas == 1 && r.BargeIn {
			c.send(map[string]any{"type": "input_audio_buffer.speech_started", "audio_start_ms": 0, "item_id": c.newID("item")})
			p.cancel("turn_detected")
		}
		if deltas == 1 && r.Hang {
			select {
			case <-p.cancelled:
			case <-c.done:
			}
		}
		if r.Pace > 0 {
			t := time.NewTimer(r.Pace)
			select {
			case <-t.C:
			case <-p.cancelled:
				t.Stop()
			}
		}
		return !cancelled()
	}
	if hasMsg {
		base := map[string]any{"response_id": p.id, "item_id": msg.ID, "output_index": 0, "content_index": 0}
		with := func(kv ...any) map[string]any {
			m := map[string]any{}
			for k, v := range base {
				m[k] = v
			}
			for i := 0; i+1 < len(kv); i += 2 {
				m[kv[i].(string)] = kv[i+1]
			}
			return m
		}
		c.send(map[string]any{"type": "response.output_item.added", "response_id": p.id, "output_index": 0, "item": msg.wire()})
		c.send(map[string]any{"type": "conversation.item.added", "previous_item_id": prev, "item": msg.wire()})
		c.send(with("type", "response.content_part.added", "part", msg.Content[0]))
		textType := "response.output_text.delta"
		if audioOut {
			textType = "response.output_audio_transcript.delta"
		}
		n := max(len(r.Text), len(r.Audio))
		for i := 0; i < n; i++ {
			if i < len(r.Audio) {
				wire := encodeOut(format, r.Audio[i])
				c.mu.Lock()
				msg.audio = append(msg.audio, wire...)
				c.spoken = true
				c.mu.Unlock()
				if !step(with("type", "response.output_audio.delta", "delta", base64.StdEncoding.EncodeToString(wire))) {
					break
				}
			}
			if i < len(r.Text) {
				text.WriteString(r.Text[i])
				if !step(with("type", textType, "delta", r.Text[i])) {
					break
				}
			}
		}
		c.mu.Lock()
		if audioOut {
			msg.Content[0].Transcript = text.String()
		} else {
			msg.Content[0].Text = text.String()
		}
		msg.Status = "completed"
		if status == "cancelled" {
			msg.Status = "incomplete"
		}
		w := msg.wire()
		c.mu.Unlock()
		if audioOut {
			c.send(with("type", "response.output_audio.done"))
			c.send(with("type", "response.output_audio_transcript.done", "transcript", text.String()))
		} else {
			c.send(with("type", "response.output_text.done", "text", text.String()))
		}
		c.send(with("type", "response.content_part.done", "part", w.Content[0]))
		c.send(map[string]any{"type": "response.output_item.done", "response_id": p.id, "output_index": 0, "item": w})
		c.send(map[string]any{"type": "conversation.item.done", "previous_item_id": prev, "item": w})
		output = append(output, w)
	}
	for i, tc := range r.ToolCalls {
		if cancelled() {
			break
		}
		c.mu.Lock()
		call := &item{ID: c.newIDLocked("item"), Type: "function_call", Status: "completed", CallID: tc.CallID, Name: tc.Name, Arguments: tc.Arguments}
		c.conv = append(c.conv, call)
		c.mu.Unlock()
		idx := len(output) + i
		c.send(map[string]any{"type": "response.output_item.added", "response_id": p.id, "output_index": idx, "item": call.wire()})
		c.send(map[string]any{"type": "response.function_call_arguments.delta", "response_id": p.id, "item_id": call.ID, "output_index": idx, "call_id": tc.CallID, "delta": tc.Arguments})
		c.send(map[string]any{"type": "response.function_call_arguments.done", "response_id": p.id, "item_id": call.ID, "output_index": idx, "call_id": tc.CallID, "name": tc.Name, "arguments": tc.Arguments})
		c.send(map[string]any{"type": "response.output_item.done", "response_id": p.id, "output_index": idx, "item": call.wire()})
		output = append(output, call.wire())
	}
	if status != "cancelled" {
		cancelled()
	}
	if status == "completed" && r.Status != "" {
		status = r.Status
	}
	u := r.Usage
	if u == nil {
		out := len(text.String())/4 + 1
		u = &Usage{InputTokens: 10, InputText: 10, OutputTokens: out, OutputText: out}
	}
	resp := map[string]any{"id": p.id, "object": "realtime.response", "status": status, "output": output, "usage": u.wire()}
	switch status {
	case "cancelled":
		resp["status_details"] = map[string]any{"type": "cancelled", "reason": reason}
	case "incomplete":
		resp["status_details"] = map[string]any{"type": "incomplete", "reason": "max_output_tokens"}
	case "failed":
		resp["status_details"] = map[string]any{"type": "failed", "error": map[string]any{"type": "server_error", "code": "server_error", "message": "The model failed (scripted)."}}
	}
	c.mu.Lock()
	if c.resp == p {
		c.resp = nil
	}
	c.mu.Unlock()
	select {
	case <-c.done:
		return
	default:
	}
	c.send(map[string]any{"type": "response.done", "response": resp})
	c.send(map[string]any{"type": "rate_limits.updated", "rate_limits": []map[string]any{
		{"name": "requests", "limit": 1000, "remaining": 999, "reset_seconds": 60},
		{"name": "tokens", "limit": 50000, "remaining": 50000 - u.InputTokens - u.OutputTokens, "reset_seconds": 60},
	}})
}

// encodeOut encodes 24 kHz PCM to the session's output format.
func encodeOut(format string, pcm24 []byte) []byte {
	if format == "audio/pcm" {
		return pcm24
	}
	s, _ := pcm.DecodeInt16(nil, pcm24[:len(pcm24)&^1])
	r, _ := pcm.NewResampler(24000, 8000)
	s = r.Flush(r.Process(nil, s))
	if format == "audio/pcmu" {
		return pcm.AppendMuLaw(nil, s)
	}
	return pcm.AppendALaw(nil, s)
}
