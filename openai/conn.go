package openai

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/redact"
)

// maxFrame bounds one server frame.
const maxFrame = 16 << 20

// hardCap is how long the service lets a session last.
const hardCap = 60 * time.Minute

// A conn is one websocket connection: one session of the service. Its
// writer goroutine is the only one writing to ws once the handshake is over.
type conn struct {
	ws      *websocket.Conn
	info    SessionInfo
	started time.Time
	stop    chan struct{} // closed when the connection is over: stops its goroutines
	input   inputTimeline // the session's input audio as written; guarded by the Stream's mu
}

func newConn(ws *websocket.Conn, info SessionInfo, inputRate int) *conn {
	ws.SetReadLimit(maxFrame)
	return &conn{ws: ws, info: info, started: time.Now(), stop: make(chan struct{}), input: inputTimeline{rate: inputRate}}
}

// handshake dials a new session, configures it and gives it the items of
// reseed, within ctx (and Close).
func (s *Stream) handshake(ctx context.Context, reseed []wireItem) (*websocket.Conn, SessionInfo, error) {
	key := s.cfg.APIKey
	hctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer context.AfterFunc(s.ctx, cancel)()

	s.mu.Lock()
	sess, err := sessionObject(s.cfg, s.tools)
	s.mu.Unlock()
	if err != nil {
		return nil, SessionInfo{}, err
	}
	h := http.Header{}
	for k, v := range s.cfg.Header {
		h[k] = append([]string(nil), v...)
	}
	h.Set("Authorization", "Bearer "+key)
	d := websocket.Dialer{HandshakeTimeout: s.cfg.ConnectTimeout, ReadBufferSize: 32 << 10, WriteBufferSize: 32 << 10}
	ws, resp, err := d.DialContext(hctx, s.cfg.dialURL(), h)
	if err != nil {
		if s.ctx.Err() != nil {
			return nil, SessionInfo{}, fullduplex.ErrClosed
		}
		return nil, SessionInfo{}, dialError(err, resp, key)
	}
	if resp != nil && resp.Body != nil {
		resp.Body.Close()
	}
	stopWatch := context.AfterFunc(hctx, func() { _ = ws.Close() })
	fail := func(err error) (*websocket.Conn, SessionInfo, error) {
		stopWatch()
		_ = ws.Close()
		switch {
		case s.ctx.Err() != nil:
			return nil, SessionInfo{}, fullduplex.ErrClosed
		case ctx.Err() != nil:
			return nil, SessionInfo{}, fmt.Errorf("openai: connect: %w", ctx.Err())
		}
		return nil, SessionInfo{}, redactErr(err, key)
	}
	write := func(ev clientEvent) error {
		_ = ws.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		return ws.WriteMessage(websocket.TextMessage, encode(ev))
	}
	// await reads until an event of type want; an error event fails.
	var info SessionInfo
	await := func(want string) error {
		for {
			_, data, err := ws.ReadMessage()
			if err != nil {
				return fmt.Errorf("openai: connect: waiting for %s: %w", want, readError(err, key))
			}
			ev, err := decodeEvent(data)
			if err != nil {
				return fmt.Errorf("openai: connect: %w", err)
			}
			switch ev.Type {
			case want:
				if want == "session.created" {
					var si struct {
						ID    string `json:"id"`
						Model string `json:"model"`
					}
					_ = jsonUnmarshal(ev.Session, &si)
					info = SessionInfo{ID: si.ID, Model: si.Model}
				}
				return nil
			case "error":
				w := ev.Error
				if w == nil {
					w = &wireError{}
				}
				return fmt.Errorf("openai: connect: %w", serverError(w, key))
			}
		}
	}
	if err := await("session.created"); err != nil {
		return fail(err)
	}
	if err := write(clientEvent{Type: "session.update", EventID: "fd_session", Session: sess}); err != nil {
		return fail(fmt.Errorf("openai: connect: %w", err))
	}
	if err := await("session.updated"); err != nil {
		return fail(err)
	}
	for i := range reseed {
		if err := write(clientEvent{Type: "conversation.item.create", Item: &reseed[i]}); err != nil {
			return fail(fmt.Errorf("openai: connect: re-seeding the conversation: %w", err))
		}
	}
	if !stopWatch() {
		return fail(errors.New("openai: connect: cancelled"))
	}
	_ = ws.SetWriteDeadline(time.Time{})
	if info.Model == "" {
		info.Model = s.cfg.Model
	}
	return ws, info, nil
}

// dialError describes a failed websocket dial, with the service's answer
// and without the API key.
func dialError(err error, resp *http.Response, key string) error {
	if resp == nil {
		return redactErr(fmt.Errorf("openai: connect: %w", err), key)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 2048))
	return &HTTPError{Status: resp.StatusCode, Body: redact.Cut(string(body), 1000, key)}
}

// An HTTPError is a refused handshake or REST call: the HTTP status and
// the start of the service's answer (redacted). A plain value.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	return fmt.Sprintf("openai: HTTP %d %s: %s", e.Status, http.StatusText(e.Status), e.Body)
}

// readError turns a read error into a *CloseError for a close frame.
func readError(err error, key string) error {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		return &CloseError{Code: ce.Code, Reason: redact.Cut(ce.Text, 500, key)}
	}
	return redactErr(err, key)
}

type outcome int

const (
	outFinished outcome = iota // CloseSend's last answer has ended
	outClosed                  // Close
	outBroken                  // the connection broke
	outCap                     // the session cap: move to a new session
)

// supervise runs connections until the stream ends.
func (s *Stream) supervise(c *conn) {
	for {
		out, err := s.runConn(c)
		switch out {
		case outFinished:
			s.end(io.EOF)
			return
		case outClosed:
			s.end(fullduplex.ErrClosed)
			return
		}
		reason := "session cap"
		if out == outBroken {
			if s.cfg.MaxReconnects < 0 {
				s.end(err)
				return
			}
			reason = err.Error()
		}
		nc, err := s.reconnect(reason)
		if err != nil {
			s.end(err)
			return
		}
		c = nc
	}
}

// end ends the stream with err (io.EOF for a clean end).
func (s *Stream) end(err error) {
	s.mu.Lock()
	s.cur = nil
	s.endErr = err
	close(s.ended)
	s.q.wakeAll()
	s.mu.Unlock()
}

// runConn runs c until it ends. c's reader (see read) maps each server
// event to items and hands them to Receive itself; runConn acts on the
// clock and on changes of the turn state: it releases the terminator of a
// cut answer after interruptHold, gives up an answer CloseSend waits for
// after Config.CloseSendWait, ends the stream once CloseSend's last answer
// has ended, and moves to a new session at the session cap. Both produce
// under s.out, so items arrive in the order the state produced them.
func (s *Stream) runConn(c *conn) (outcome, error) {
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
	readErr := make(chan error, 1)
	recvDone, writeDone := make(chan struct{}), make(chan struct{})
	defer func() {
		close(c.stop)
		_ = c.ws.Close()
		<-recvDone
		<-writeDone
	}()
	if !s.goTracked(func() {
		defer close(recvDone)
		readErr <- s.read(c)
	}) {
		close(recvDone)
		close(writeDone)
		return outClosed, nil
	}
	if !s.goTracked(func() { defer close(writeDone); s.write(c) }) {
		close(writeDone)
		return outClosed, nil
	}

	capAt := c.started.Add(s.cfg.SessionCap)
	// The service's own limit is 60 minutes: past 59, move even mid-answer.
	forceAt := c.started.Add(max(s.cfg.SessionCap, hardCap-time.Minute))
	capDue := false
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	var armed time.Time // when timer fires
	for {
		// What to do now, and when to look again.
		buf := s.out.Begin()
		s.mu.Lock()
		now := time.Now()
		next := forceAt
		if !capDue {
			next = capAt
		}
		if now.After(capAt) {
			capDue = true
		}
		t := &s.t
		if r := t.resp; r != nil && r.cut && !r.ended {
			if at := r.cutAt.Add(interruptHold); now.Before(at) {
				next = minTime(next, at)
			} else {
				r.ended = true
				buf = append(buf, event(fullduplex.EventInterrupt, s.turnEndLocked(r, ""), now))
			}
		}
		if t.inputClosed && t.resp == nil && !t.finished() {
			if at := t.closedAt.Add(s.cfg.CloseSendWait); now.Before(at) {
				next = minTime(next, at)
			} else { // the answers owed never started: give up
				t.expect, t.asked, t.waiting, t.wantAnswer = 0, nil, nil, false
				clear(t.toolOwed)
			}
		}
		finished := t.finished()
		quiet := t.idle() && !t.speech && len(t.waiting) == 0 && (s.cfg.vad() || !t.uncommitted)
		s.mu.Unlock()
		if !s.out.End(buf) {
			return outClosed, nil
		}
		switch {
		case finished:
			return outFinished, nil
		case capDue && (quiet || !now.Before(forceAt)):
			return outCap, nil
		}
		if !next.Equal(armed) {
			timer.Reset(max(time.Until(next), time.Millisecond))
			armed = next
		}

		select {
		case err := <-readErr:
			switch {
			case errors.Is(err, errFinished):
				return outFinished, nil
			case s.ctx.Err() != nil || err == nil:
				return outClosed, nil
			}
			return outBroken, readError(err, s.cfg.APIKey)
		case <-timer.C:
			armed = time.Time{}
		case <-s.t.kick:
		case <-s.ctx.Done():
			return outClosed, nil
		}
	}
}

// errFinished is how read reports that CloseSend's last answer has ended.
var errFinished = errors.New("openai: finished")

// read is c's reader: it reads each server event, maps it to items under
// s.mu (see handleLocked) and pushes them, all on this goroutine, so a
// frame reaches Receive with no hand-off between goroutines on the way. An
// event that may call for runConn (anything but the deltas of an answer in
// progress) wakes it. A malformed event becomes an EventError and the
// stream goes on. It returns the error that ended the connection,
// errFinished once CloseSend's last answer has ended (it pushes nothing
// after that answer's terminator), or nil when the stream was closed.
func (s *Stream) read(c *conn) error {
	for {
		_, data, err := c.ws.ReadMessage()
		if err != nil {
			return err
		}
		ev, derr := decodeEvent(data)
		buf := s.out.Begin()
		s.mu.Lock()
		if s.t.finished() { // CloseSend's last answer has ended: nothing more comes
			s.mu.Unlock()
			s.out.End(buf)
			return errFinished
		}
		if derr != nil {
			buf = append(buf, event(fullduplex.EventError, derr, time.Now()))
		} else {
			buf = s.handleLocked(ev, buf)
		}
		fin := s.t.finished()
		s.mu.Unlock()
		if !s.out.End(buf) {
			return nil
		}
		if fin {
			return errFinished
		}
		switch ev.Type {
		case "response.output_audio.delta", "response.output_audio_transcript.delta", "response.output_text.delta",
			"response.function_call_arguments.delta":
		default:
			s.t.wake()
		}
	}
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// write is c's writer: it writes the queued client events in order until c
// is over or no longer the current connection.
func (s *Stream) write(c *conn) {
	for {
		s.mu.Lock()
		if s.cur != c {
			s.mu.Unlock()
			return
		}
		f, ok := s.q.take()
		if ok {
			switch f.kind {
			case frameItem:
				s.log.markWritten(f.seq)
			case frameResponseCreate:
				s.t.asked = append(s.t.asked, f.eventID)
			case frameAudio:
				c.input.add(f.samples, f.at)
			}
		}
		s.mu.Unlock()
		if !ok {
			select {
			case <-s.q.kick:
				continue
			case <-c.stop:
				return
			}
		}
		_ = c.ws.SetWriteDeadline(time.Now().Add(s.cfg.WriteTimeout))
		if err := c.ws.WriteMessage(websocket.TextMessage, f.data); err != nil {
			_ = c.ws.Close() // the reader reports the break
			return
		}
	}
}

// reconnect moves the stream to a new session: the answer in progress is
// cut (EventInterrupt, Reason fullduplex.ReasonReconnect; one that had said nothing is
// asked for again), answers asked for and not started are asked again, and
// the new session is given the conversation so far. It returns the new
// connection once EventReconnect is queued.
func (s *Stream) reconnect(reason string) (*conn, error) {
	s.mu.Lock()
	s.cur = nil
	t := &s.t
	var items []fullduplex.StreamItem
	now := time.Now()
	reask := len(t.asked)
	if r := t.resp; r != nil {
		if !r.ended {
			items = append(items, event(fullduplex.EventInterrupt, s.turnEndLocked(r, fullduplex.ReasonReconnect), now))
		}
		if r.said {
			s.logResponseLocked(r)
		} else {
			reask++
			t.expect++ // asked again below; startResponseLocked had counted it
		}
		t.last, t.resp = r, nil
	}
	t.asked = nil
	for range reask {
		id := s.newEventIDLocked()
		s.q.addFront(outFrame{data: encode(clientEvent{Type: "response.create", EventID: id}), kind: frameResponseCreate, eventID: id})
	}
	t.ourCommits, t.speech, t.uncommitted = 0, false, false
	reseed := s.log.reseed()
	s.mu.Unlock()
	if !s.out.End(append(s.out.Begin(), items...)) {
		return nil, fullduplex.ErrClosed
	}
	backoff := s.cfg.ReconnectBackoff
	var lastErr error
	for attempt := 1; attempt <= max(1, s.cfg.MaxReconnects); attempt++ {
		if attempt > 1 {
			timer := time.NewTimer(backoff)
			select {
			case <-timer.C:
			case <-s.ctx.Done():
				timer.Stop()
				return nil, fullduplex.ErrClosed
			}
			backoff = min(2*backoff, 5*time.Second)
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.cfg.ConnectTimeout)
		ws, info, err := s.handshake(ctx, reseed)
		cancel()
		if err == nil {
			c := newConn(ws, info, s.cfg.InputFormat.rate())
			if !s.out.Push(event(fullduplex.EventReconnect, ReconnectInfo{Session: info, Reason: reason, Attempts: attempt, Began: now}, time.Now())) {
				_ = ws.Close()
				return nil, fullduplex.ErrClosed
			}
			return c, nil
		}
		if s.ctx.Err() != nil {
			return nil, fullduplex.ErrClosed
		}
		lastErr = err
	}
	return nil, fmt.Errorf("%w: %w", ErrReconnectFailed, lastErr)
}
