package openaitest

import (
	"fmt"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// Limits of the input audio buffer.
const (
	maxBufferMS = 30000 // audio kept while nobody speaks; older is dropped
	minCommitMS = 100   // the service refuses to commit less
	vadFrameMS  = 20
)

// audioBuffer is the input audio buffer of a session and the voice activity
// detector standing in for server_vad. Guarded by Conn.mu.
type audioBuffer struct {
	data     []byte // wire bytes since the last commit
	startMS  int    // session audio time of data[0]
	total    int    // wire bytes appended in the session
	det      *vad.EnergyDetector
	detFmt   string
	detHang  int
	pending  []int16
	speaking bool
	speechMS int    // session time where the current speech (with pre-roll) starts
	itemID   string // the item the current speech becomes
}

func bytesPerMS(format string) int {
	if format == "audio/pcm" {
		return 48
	}
	return 8
}

func (b *audioBuffer) clear(bpm int) {
	b.startMS += len(b.data) / bpm
	b.data = b.data[:0]
}

// decode returns 16-bit samples of wire audio and their rate.
func decode(format string, wire []byte) ([]int16, int) {
	switch format {
	case "audio/pcmu":
		return pcm.AppendMuLawDecoded(nil, wire), 8000
	case "audio/pcma":
		return pcm.AppendALawDecoded(nil, wire), 8000
	}
	s, _ := pcm.DecodeInt16(nil, wire[:len(wire)&^1])
	return s, 24000
}

// vadEvent is what the detector found in one append.
type vadEvent struct {
	start  bool
	ms     int
	itemID string
}

// appendAudio adds audio to the buffer and, with turn detection, reports
// speech starts and ends as the service does.
func (c *Conn) appendAudio(ev ClientEvent, playing *sync.WaitGroup) {
	audio, ok := ev.Audio()
	if !ok {
		c.sendError(ev.EventID, "invalid_value", "Invalid 'audio': expected base64-encoded audio bytes.", "audio")
		return
	}
	c.mu.Lock()
	b := &c.buf
	format := c.sess.inFormat
	bpm := bytesPerMS(format)
	b.data = append(b.data, audio...)
	b.total += len(audio)
	var found []vadEvent
	td := c.sess.td
	if td != nil {
		found = c.detectLocked(audio, format, td)
	}
	if !b.speaking {
		if over := len(b.data)/bpm - maxBufferMS; over > 0 {
			b.data = append(b.data[:0], b.data[over*bpm:]...)
			b.startMS += over
		}
	}
	c.mu.Unlock()
	for _, f := range found {
		if f.start {
			c.send(map[string]any{"type": "input_audio_buffer.speech_started", "audio_start_ms": f.ms, "item_id": f.itemID})
			c.mu.Lock()
			r := c.resp
			c.mu.Unlock()
			if r != nil && td.interruptResponse() {
				r.cancel("turn_detected")
			}
			continue
		}
		c.send(map[string]any{"type": "input_audio_buffer.speech_stopped", "audio_end_ms": f.ms, "item_id": f.itemID})
		c.commit(ClientEvent{}, playing, td.createResponse())
	}
}

// detectLocked runs the detector over audio. c.mu is held.
func (c *Conn) detectLocked(audio []byte, format string, td *turnDetection) []vadEvent {
	b := &c.buf
	samples, rate := decode(format, audio)
	if b.det == nil || b.detFmt != format || b.detHang != td.SilenceDurationMS {
		det, err := vad.New(vad.Config{SampleRate: rate, Hangover: time.Duration(td.SilenceDurationMS) * time.Millisecond})
		if err != nil {
			return nil
		}
		b.det, b.detFmt, b.detHang, b.pending = det, format, td.SilenceDurationMS, nil
	}
	bpm := bytesPerMS(format)
	nowMS := b.startMS + len(b.data)/bpm - len(samples)*1000/rate // session time of the first new sample
	b.pending = append(b.pending, samples...)
	frame := rate * vadFrameMS / 1000
	var out []vadEvent
	consumed := 0
	for len(b.pending)-consumed >= frame {
		e, _ := b.det.Process(b.pending[consumed : consumed+frame])
		consumed += frame
		at := nowMS + consumed*1000/rate
		switch e {
		case vad.SpeechStart:
			start := at - int(b.det.Config().MinSpeech.Milliseconds()) - td.PrefixPaddingMS
			b.speaking, b.speechMS = true, max(start, b.startMS)
			b.itemID = c.newIDLocked("item")
			out = append(out, vadEvent{start: true, ms: b.speechMS, itemID: b.itemID})
		case vad.SpeechEnd:
			if b.speaking {
				b.speaking = false
				out = append(out, vadEvent{ms: at - td.SilenceDurationMS, itemID: b.itemID})
			}
		}
	}
	b.pending = append(b.pending[:0], b.pending[consumed:]...)
	return out
}

func (c *Conn) newIDLocked(prefix string) string {
	c.nextID++
	return fmt.Sprintf("%s_%d_%d", prefix, c.index, c.nextID)
}

// commit turns the buffer into a user item: on input_audio_buffer.commit,
// or (auto) at the end of detected speech, which then asks for an answer
// when the session's turn detection creates responses.
func (c *Conn) commit(ev ClientEvent, playing *sync.WaitGroup, respond bool) {
	c.mu.Lock()
	b := &c.buf
	bpm := bytesPerMS(c.sess.inFormat)
	from := 0
	if ev.Type == "" && b.speechMS > b.startMS { // detected speech: from its start
		from = min((b.speechMS-b.startMS)*bpm, len(b.data))
	}
	audio := append([]byte(nil), b.data[from:]...)
	ms := len(audio) / bpm
	if ms < minCommitMS {
		c.mu.Unlock()
		if ev.Type != "" {
			c.sendError(ev.EventID, "input_audio_buffer_commit_empty",
				fmt.Sprintf("Error committing input audio buffer: buffer too small. Expected at least %dms of audio, but buffer only has %dms of audio.", minCommitMS, ms), "")
		}
		return
	}
	id := b.itemID
	if id == "" || ev.Type != "" {
		id = c.newIDLocked("item")
	}
	b.startMS += len(b.data) / bpm
	b.data, b.itemID, b.speechMS = b.data[:0], "", 0
	prev := c.lastItemIDLocked()
	it := &item{ID: id, Type: "message", Role: "user", Status: "completed", Content: []content{{Type: "input_audio"}}, audio: audio, format: c.sess.inFormat}
	c.conv = append(c.conv, it)
	transcribe := c.sess.transcription != ""
	c.mu.Unlock()
	c.send(map[string]any{"type": "input_audio_buffer.committed", "item_id": id, "previous_item_id": prev})
	c.send(map[string]any{"type": "conversation.item.added", "previous_item_id": prev, "item": it.wire()})
	c.send(map[string]any{"type": "conversation.item.done", "previous_item_id": prev, "item": it.wire()})
	if transcribe {
		c.send(map[string]any{"type": "conversation.item.input_audio_transcription.completed", "item_id": id, "content_index": 0,
			"transcript": fmt.Sprintf("(%d ms of audio)", ms)})
	}
	if respond {
		c.mu.Lock()
		busy := c.resp != nil
		c.mu.Unlock()
		if !busy {
			c.startResponse(playing)
		}
	}
}
