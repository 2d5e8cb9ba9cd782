package geminitest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"
	"google.golang.org/genai"
)

// A Conn is one client connection to a Server, from its setup on.
//
// Its methods are safe for concurrent use; pushes are serialized.
type Conn struct {
	srv   *Server
	ws    *websocket.Conn
	index int

	wmu    sync.Mutex    // serializes writes
	closed bool          // guarded by wmu
	gone   chan struct{} // closed with closed, under wmu

	// budget is how many more client messages the server reads (-1: no
	// limit), resume is closed by ResumeReading, and stalled is closed when
	// the server stopped in the first frame of a message; all guarded by
	// srv.mu.
	budget  int
	resume  chan struct{}
	stalled chan struct{}

	msgs []ClientMessage // guarded by srv.mu

	// echo state, used by the connection's goroutine only
	ears         listener
	textOut      bool
	autoActivity bool // the client left automatic activity detection on
	vertex       bool // the connection came on the Vertex AI path
}

// Vertex reports whether the connection came on the Vertex AI path.
func (c *Conn) Vertex() bool { return c.vertex }

// Index returns the connection's position among the server's connections, from 0.
func (c *Conn) Index() int { return c.index }

// Setup returns the setup the client sent.
func (c *Conn) Setup() *genai.LiveClientSetup {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return c.msgs[0].Setup
}

// Messages returns a copy of the messages received so far, setup first.
func (c *Conn) Messages() []ClientMessage {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	return append([]ClientMessage(nil), c.msgs...)
}

// WaitFor waits for the first message on c that pred accepts.
func (c *Conn) WaitFor(ctx context.Context, pred func(ClientMessage) bool) (ClientMessage, error) {
	ms, err := c.srv.waitMsgs(ctx, c, pred, 1)
	if err != nil {
		return ClientMessage{}, err
	}
	return ms[0], nil
}

// WaitCount waits until n messages on c satisfy pred and returns the first n.
func (c *Conn) WaitCount(ctx context.Context, pred func(ClientMessage) bool, n int) ([]ClientMessage, error) {
	return c.srv.waitMsgs(ctx, c, pred, n)
}

// errConnClosed is returned by pushes on a closed connection.
var errConnClosed = errors.New("geminitest: connection closed")

// SendRaw writes data as one frame, binary or text, as it is: a test can
// send anything, including malformed JSON.
func (c *Conn) SendRaw(data []byte, binary bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return errConnClosed
	}
	mt := websocket.TextMessage
	if binary {
		mt = websocket.BinaryMessage
	}
	return c.ws.WriteMessage(mt, data)
}

// Send marshals msg (a *genai.LiveServerMessage, a map, or any value that
// marshals to a server message) and writes it as one frame (binary unless
// Options.TextFrames).
func (c *Conn) Send(msg any) error {
	data, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("geminitest: marshal server message: %w", err)
	}
	return c.SendRaw(data, !c.srv.opts.TextFrames)
}

// CloseWith sends a close frame with code and reason, then closes the
// connection.
func (c *Conn) CloseWith(code int, reason string) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.closed {
		return errConnClosed
	}
	c.markClosedLocked()
	err := c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	_ = c.ws.Close()
	return err
}

// Drop closes the connection without a close frame, like a network failure.
func (c *Conn) Drop() {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.markClosedLocked()
	_ = c.ws.Close()
}

// markClosedLocked records that the connection is closed; c.wmu is held.
func (c *Conn) markClosedLocked() {
	if !c.closed {
		c.closed = true
		close(c.gone)
	}
}

// StopReadingAfter makes the server read only the next n client messages
// on c and then stop reading, like a peer that stalled: it reads the first
// frame header of the message after them (WaitStalled returns then) and no
// more, so that with Options.ReceiveBuffer small the client's write of that
// message blocks once its own send buffer is full. ResumeReading undoes it;
// the server still writes to c meanwhile.
func (c *Conn) StopReadingAfter(n int) {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.budget = max(n, 0)
	if c.resume == nil {
		c.resume = make(chan struct{})
	}
	c.stalled = make(chan struct{})
}

// WaitStalled waits until, after StopReadingAfter, the client began the
// message the server does not read (the server has its first frame header:
// the client's write of it is under way), or ctx ends.
func (c *Conn) WaitStalled(ctx context.Context) error {
	c.srv.mu.Lock()
	ch := c.stalled
	c.srv.mu.Unlock()
	if ch == nil {
		return errors.New("geminitest: WaitStalled without StopReadingAfter")
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// ResumeReading lets the server read c's messages again.
func (c *Conn) ResumeReading() {
	c.srv.mu.Lock()
	defer c.srv.mu.Unlock()
	c.budget = -1
	if c.resume != nil {
		close(c.resume)
		c.resume = nil
	}
}

// waitReading blocks while c's read budget is spent, a message having
// begun (see StopReadingAfter); it reports false when c or the server
// closed meanwhile.
func (c *Conn) waitReading() bool {
	c.srv.mu.Lock()
	ch := c.resume
	if c.budget != 0 {
		ch = nil
	} else if c.stalled != nil && !isClosed(c.stalled) {
		close(c.stalled)
	}
	c.srv.mu.Unlock()
	if ch == nil {
		return true
	}
	select {
	case <-ch:
		return true
	case <-c.gone:
		return false
	case <-c.srv.ctx.Done():
		return false
	}
}

// serveConn runs one connection: setup, then the read loop.
func (s *Server) serveConn(ws *websocket.Conn, keyOK, vertex bool) {
	defer s.wg.Done()
	c := &Conn{srv: s, ws: ws, index: -1, vertex: vertex, gone: make(chan struct{}), budget: -1}
	if !s.track(c) {
		_ = ws.Close()
		return
	}
	defer s.untrack(c)
	defer c.Drop()

	first, ok := c.read()
	if !ok {
		return
	}
	if first.Setup == nil {
		_ = c.CloseWith(websocket.CloseInvalidFramePayloadData, "the first message must be setup")
		return
	}
	s.mu.Lock()
	c.index = len(s.conns)
	s.conns = append(s.conns, c)
	first.Conn = c.index
	c.msgs = append(c.msgs, first)
	s.notifyLocked()
	hang, release, requireHandle := s.hang, s.release, s.requireHand
	handleOK := first.Setup.SessionResumption != nil && s.handles[first.Setup.SessionResumption.Handle]
	closeSetup, closeCode, closeWhy := false, 0, ""
	if keyOK && s.closeSetups > 0 {
		s.closeSetups--
		closeSetup, closeCode, closeWhy = true, s.closeCode, s.closeWhy
	}
	s.mu.Unlock()

	switch {
	case !keyOK && vertex:
		_ = c.CloseWith(websocket.ClosePolicyViolation, "Request had invalid authentication credentials. Expected OAuth 2 access token.")
		return
	case !keyOK:
		_ = c.CloseWith(websocket.ClosePolicyViolation, "API key not valid. Please pass a valid API key.")
		return
	case closeSetup:
		_ = c.CloseWith(closeCode, closeWhy)
		return
	case requireHandle && c.index > 0 && !handleOK:
		_ = c.CloseWith(websocket.ClosePolicyViolation, "geminitest: setup needs a session resumption handle the server issued")
		return
	}
	if gc := first.Setup.GenerationConfig; gc != nil && len(gc.ResponseModalities) == 1 && gc.ResponseModalities[0] == genai.ModalityText {
		c.textOut = true
	}
	ric := first.Setup.RealtimeInputConfig
	c.autoActivity = ric == nil || ric.AutomaticActivityDetection == nil || !ric.AutomaticActivityDetection.Disabled
	answered := make(chan struct{})
	answer := func() {
		// The echo model answers what comes after setupComplete: the
		// client may send as soon as it has it, before this goroutine
		// goes on.
		close(answered)
		if c.Send(&genai.LiveServerMessage{SetupComplete: &genai.LiveServerSetupComplete{SessionID: fmt.Sprintf("geminitest-%d", c.index)}}) == nil {
			c.maybeResumptionUpdate()
		}
	}
	if !hang {
		answer()
	} else {
		readerDone := make(chan struct{})
		defer close(readerDone)
		s.wg.Add(1) // serveConn's own Add is outstanding: the counter is not zero
		go func() {
			defer s.wg.Done()
			select {
			case <-release:
				answer()
			case <-readerDone:
			case <-s.ctx.Done():
			}
		}()
	}
	for {
		mt, r, err := ws.NextReader()
		if err != nil || !c.waitReading() {
			return
		}
		m, ok := c.parse(mt, r)
		if !ok {
			return
		}
		s.mu.Lock()
		if c.budget > 0 {
			c.budget--
		}
		m.Conn = c.index
		if !s.opts.DiscardMessages {
			c.msgs = append(c.msgs, m)
			s.notifyLocked()
		}
		echo := s.echo
		s.mu.Unlock()
		if echo && isClosed(answered) {
			c.echo(m)
		}
	}
}

// read reads and parses one message, in any spelling the service accepts
// (see normalize); ok is false when the connection ended.
func (c *Conn) read() (m ClientMessage, ok bool) {
	mt, r, err := c.ws.NextReader()
	if err != nil {
		return ClientMessage{}, false
	}
	return c.parse(mt, r)
}

// parse reads the rest of the message r of type mt and parses it, like
// read.
func (c *Conn) parse(mt int, r io.Reader) (m ClientMessage, ok bool) {
	data, err := io.ReadAll(r)
	if err != nil {
		return ClientMessage{}, false
	}
	decodeClientMessage(data, &m) // a malformed message is recorded raw
	m.Raw = json.RawMessage(data)
	m.Binary = mt == websocket.BinaryMessage
	m.Received = time.Now()
	return m, true
}

// maybeResumptionUpdate sends a fresh resumable handle if the client asked
// for session resumption.
func (c *Conn) maybeResumptionUpdate() {
	if c.srv.opts.NoResumptionUpdates {
		return
	}
	if setup := c.Setup(); setup == nil || setup.SessionResumption == nil {
		return
	}
	_ = c.SendResumptionUpdate(c.srv.NewHandle(), true)
}

// NewHandle returns a fresh resumption handle that the server will accept
// under RequireResumeHandle.
func (s *Server) NewHandle() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := fmt.Sprintf("geminitest-handle-%d", len(s.handles)+1)
	s.handles[h] = true
	return h
}

// track registers a live websocket so that Close can drop it; it returns
// false when the server is closing.
func (s *Server) track(c *Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	if s.live == nil {
		s.live = map[*Conn]bool{}
	}
	s.live[c] = true
	return true
}

func (s *Server) untrack(c *Conn) {
	s.mu.Lock()
	delete(s.live, c)
	s.mu.Unlock()
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}
