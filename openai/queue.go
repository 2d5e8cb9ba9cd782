package openai

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"
)

// The kinds of client events, for what the writer records as it takes them.
type frameKind int

const (
	frameOther          frameKind = iota
	frameAudio                    // input_audio_buffer.append
	frameResponseCreate           // response.create: an answer asked for
	frameItem                     // conversation.item.create of a logged item
)

// An outFrame is one client event, encoded, waiting for the writer.
type outFrame struct {
	data    []byte
	kind    frameKind
	eventID string    // frameResponseCreate: its event_id
	seq     int       // frameItem: the log entry it creates
	samples int       // frameAudio: the wire samples it appends
	at      time.Time // frameAudio: the Timestamp of its symbol
}

// A sendQueue holds the client events waiting for the writer of the
// current connection, in the order they were decided; it survives a
// reconnect, so nothing sent in between is lost. Its fields are guarded by
// the Stream's mu.
type sendQueue struct {
	frames []outFrame
	bytes  int
	max    int
	kick   chan struct{} // capacity 1: wakes the writer
	room   chan struct{} // closed and replaced when room is made (or on Close)
}

func newSendQueue(max int) sendQueue {
	return sendQueue{max: max, kick: make(chan struct{}, 1), room: make(chan struct{})}
}

func (q *sendQueue) full() bool { return q.bytes >= q.max }

// add appends f and wakes the writer.
func (q *sendQueue) add(f outFrame) {
	q.frames = append(q.frames, f)
	q.bytes += len(f.data)
	q.wake()
}

// addFront puts f before everything queued (a re-asked answer after a
// reconnect).
func (q *sendQueue) addFront(f outFrame) {
	q.frames = append([]outFrame{f}, q.frames...)
	q.bytes += len(f.data)
	q.wake()
}

func (q *sendQueue) wake() {
	select {
	case q.kick <- struct{}{}:
	default:
	}
}

// take removes the first frame.
func (q *sendQueue) take() (outFrame, bool) {
	if len(q.frames) == 0 {
		return outFrame{}, false
	}
	f := q.frames[0]
	q.frames[0] = outFrame{}
	q.frames = q.frames[1:]
	wasFull := q.full()
	q.bytes -= len(f.data)
	if wasFull && !q.full() {
		q.wakeAll()
	}
	return f, true
}

// wakeAll wakes every Send waiting for room.
func (q *sendQueue) wakeAll() {
	close(q.room)
	q.room = make(chan struct{})
}

// Encoders of the client events. event_id names the events whose errors
// the stream must recognise.

func (s *Stream) newEventIDLocked() string {
	s.t.nextID++
	return "fd_" + strconv.Itoa(s.t.nextID)
}

func encode(ev clientEvent) []byte {
	b, err := json.Marshal(ev)
	if err != nil { // clientEvent holds nothing that cannot marshal but Session, checked at Connect
		b, _ = json.Marshal(clientEvent{Type: ev.Type})
	}
	return b
}

const appendPrefix = `{"type":"input_audio_buffer.append","audio":"`

// appendFrame encodes input_audio_buffer.append of audio without an
// intermediate copy of the base64 text.
func appendFrame(audio []byte) []byte {
	n := base64.StdEncoding.EncodedLen(len(audio))
	b := make([]byte, 0, len(appendPrefix)+n+2)
	b = append(b, appendPrefix...)
	b = base64.StdEncoding.AppendEncode(b, audio)
	return append(b, '"', '}')
}

func intp(v int) *int { return &v }
