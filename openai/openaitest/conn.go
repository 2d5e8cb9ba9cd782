package openaitest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// A ClientEvent is one event a client sent, as received. A plain value.
type ClientEvent struct {
	Type    string
	EventID string
	Raw     json.RawMessage // the whole event
	At      time.Time
}

// Field decodes the top-level field name of the event into v.
func (e ClientEvent) Field(name string, v any) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(e.Raw, &m); err != nil {
		return err
	}
	raw, ok := m[name]
	if !ok {
		return errMissing(name)
	}
	return json.Unmarshal(raw, v)
}

// Audio returns the decoded audio of an input_audio_buffer.append.
func (e ClientEvent) Audio() ([]byte, bool) {
	var b64 string
	if e.Type != "input_audio_buffer.append" || e.Field("audio", &b64) != nil {
		return nil, false
	}
	b, err := base64.StdEncoding.DecodeString(b64)
	return b, err == nil
}

// Text returns the text of a conversation.item.create of a message with
// input_text (or output_text) content.
func (e ClientEvent) Text() (string, bool) {
	var it item
	if e.Type != "conversation.item.create" || e.Field("item", &it) != nil {
		return "", false
	}
	for _, c := range it.Content {
		if c.Text != "" {
			return c.Text, true
		}
	}
	return "", false
}

// AudioEndMS returns the audio_end_ms of a conversation.item.truncate.
func (e ClientEvent) AudioEndMS() (int, bool) {
	var ms int
	if e.Type != "conversation.item.truncate" || e.Field("audio_end_ms", &ms) != nil {
		return 0, false
	}
	return ms, true
}

type errMissing string

func (e errMissing) Error() string { return "openaitest: no field " + strconv.Quote(string(e)) }

// IsType returns a predicate matching client events of type t.
func IsType(t string) func(ClientEvent) bool {
	return func(e ClientEvent) bool { return e.Type == t }
}

// A Conn is one client connection: one session. Its methods are safe for
// concurrent use.
type Conn struct {
	srv    *Server
	ws     *websocket.Conn
	index  int
	model  string
	header http.Header
	id     string
	done   chan struct{} // closed when the connection is over
	once   sync.Once

	wmu sync.Mutex // serializes writes

	mu      sync.Mutex // guards the fields below
	events  []ClientEvent
	changed chan struct{}
	hung    bool
	sess    session
	conv    []*item
	buf     audioBuffer
	resp    *playing
	nextID  int
	spoken  bool // the model has produced audio: the voice is fixed
}

func newConn(s *Server, ws *websocket.Conn, index int, model string, h http.Header) *Conn {
	c := &Conn{
		srv: s, ws: ws, index: index, model: model, header: h,
		id: "sess_" + randomID(), done: make(chan struct{}), changed: make(chan struct{}),
	}
	c.sess = defaultSession()
	return c
}

// Index returns the connection's number, from 0.
func (c *Conn) Index() int { return c.index }

// Model returns the model the client asked for in the URL.
func (c *Conn) Model() string { return c.model }

// Header returns the handshake's headers.
func (c *Conn) Header() http.Header { return c.header }

// Session returns the session configuration in effect, as JSON.
func (c *Conn) Session() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sess.object(c.id, c.model)
}

// Events returns every client event so far.
func (c *Conn) Events() []ClientEvent {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]ClientEvent(nil), c.events...)
}

// WaitFor waits for the first client event matching pred.
func (c *Conn) WaitFor(ctx context.Context, pred func(ClientEvent) bool) (ClientEvent, error) {
	evs, err := c.WaitCount(ctx, pred, 1)
	if err != nil {
		return ClientEvent{}, err
	}
	return evs[0], nil
}

// WaitCount waits until n client events match pred and returns them.
func (c *Conn) WaitCount(ctx context.Context, pred func(ClientEvent) bool, n int) ([]ClientEvent, error) {
	for {
		c.mu.Lock()
		var got []ClientEvent
		for _, e := range c.events {
			if pred(e) {
				got = append(got, e)
			}
		}
		ch := c.changed
		c.mu.Unlock()
		if len(got) >= n {
			return got[:n], nil
		}
		select {
		case <-ch:
		case <-c.done:
			return got, errClosed
		case <-ctx.Done():
			return got, ctx.Err()
		}
	}
}

// Push sends any server event (marshalled to JSON), e.g. a map with "type".
func (c *Conn) Push(ev any) error {
	b, err := json.Marshal(ev)
	if err != nil {
		return err
	}
	return c.PushRaw(b)
}

// PushRaw sends data as one text frame, as it is (malformed on purpose, if
// the test likes).
func (c *Conn) PushRaw(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	select {
	case <-c.done:
		return errClosed
	default:
	}
	_ = c.ws.SetWriteDeadline(time.Now().Add(5 * time.Second))
	return c.ws.WriteMessage(websocket.TextMessage, data)
}

// send sends a server event with a fresh event_id.
func (c *Conn) send(ev map[string]any) {
	c.mu.Lock()
	c.nextID++
	ev["event_id"] = "event_" + strconv.Itoa(c.index) + "_" + strconv.Itoa(c.nextID)
	c.mu.Unlock()
	_ = c.Push(ev)
}

func (c *Conn) sendError(clientEventID, code, message, param string) {
	c.send(map[string]any{"type": "error", "error": map[string]any{
		"type": "invalid_request_error", "code": code, "message": message, "param": param, "event_id": clientEventID,
	}})
}

// CloseWith sends a close frame with code and reason and closes the
// connection, as the service does at the end of a session.
func (c *Conn) CloseWith(code int, reason string) error {
	c.wmu.Lock()
	err := c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	c.wmu.Unlock()
	c.Drop()
	return err
}

// Drop closes the connection without a close frame, like a network failure.
func (c *Conn) Drop() {
	c.once.Do(func() {
		close(c.done)
		_ = c.ws.Close()
		c.mu.Lock()
		if c.resp != nil {
			c.resp.stop()
		}
		c.mu.Unlock()
	})
}

// Hang makes the server stop reading and answering on this connection,
// with the socket left open, like a hung service.
func (c *Conn) Hang() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hung = true
	if c.resp != nil {
		c.resp.stop()
	}
}

// Done is closed when the connection is over.
func (c *Conn) Done() <-chan struct{} { return c.done }

func (c *Conn) newID(prefix string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.nextID++
	return prefix + "_" + strconv.Itoa(c.index) + "_" + strconv.Itoa(c.nextID)
}

// serve runs the connection: session.created, then every client event in
// order.
func (c *Conn) serve(hang bool) {
	defer c.Drop()
	var playing sync.WaitGroup
	defer playing.Wait()
	if hang {
		<-c.done
		return
	}
	c.send(map[string]any{"type": "session.created", "session": c.Session()})
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return
		}
		c.mu.Lock()
		hung := c.hung
		c.mu.Unlock()
		if hung {
			<-c.done
			return
		}
		var head struct {
			Type    string `json:"type"`
			EventID string `json:"event_id"`
		}
		if err := json.Unmarshal(data, &head); err != nil || head.Type == "" {
			c.sendError("", "invalid_json", "The server could not parse the event as JSON with a type.", "")
			continue
		}
		ev := ClientEvent{Type: head.Type, EventID: head.EventID, Raw: append(json.RawMessage(nil), data...), At: time.Now()}
		c.mu.Lock()
		c.events = append(c.events, ev)
		close(c.changed)
		c.changed = make(chan struct{})
		c.mu.Unlock()
		c.handle(ev, &playing)
	}
}

func (c *Conn) handle(ev ClientEvent, playing *sync.WaitGroup) {
	switch ev.Type {
	case "session.update":
		c.sessionUpdate(ev)
	case "input_audio_buffer.append":
		c.appendAudio(ev, playing)
	case "input_audio_buffer.commit":
		c.commit(ev, playing, false)
	case "input_audio_buffer.clear":
		c.mu.Lock()
		c.buf.clear(bytesPerMS(c.sess.inFormat))
		c.mu.Unlock()
		c.send(map[string]any{"type": "input_audio_buffer.cleared"})
	case "conversation.item.create":
		c.createItem(ev)
	case "conversation.item.truncate":
		c.truncate(ev)
	case "conversation.item.delete":
		c.deleteItem(ev)
	case "response.create":
		c.mu.Lock()
		busy := c.resp != nil
		c.mu.Unlock()
		if busy {
			c.sendError(ev.EventID, "conversation_already_has_active_response", "Conversation already has an active response in progress.", "")
			return
		}
		c.startResponse(playing)
	case "response.cancel":
		c.mu.Lock()
		r := c.resp
		c.mu.Unlock()
		if r == nil {
			c.sendError(ev.EventID, "response_cancel_not_active", "Cancellation failed: no active response found", "")
			return
		}
		r.cancel("client_cancelled")
	default:
		c.sendError(ev.EventID, "invalid_value", "Invalid value: '"+ev.Type+"'. Supported values are: session.update, input_audio_buffer.append, input_audio_buffer.commit, input_audio_buffer.clear, conversation.item.create, conversation.item.truncate, conversation.item.delete, response.create, response.cancel.", "type")
	}
}
