package gemini

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/redact"
	"google.golang.org/genai"
)

// maxPending bounds the messages buffered during a reconnect.
const maxPending = 4096

// ErrSendBufferFull is returned by a send during a reconnect when the send
// buffer already holds maxPending messages that may not be dropped.
var ErrSendBufferFull = errors.New("gemini: send buffer full while reconnecting")

// A sender serializes writes (concurrent writes panic inside gorilla) and
// buffers them while there is no connection. The token sem is the right to
// write; the fields above mu are guarded by sem, those below by mu (which
// a switch takes without waiting for a write in progress).
type sender struct {
	sem          chan struct{} // one token
	pending      []outMsg
	pendingAudio int // bytes of audio in pending
	maxAudio     int // bound of pendingAudio: one second of input audio
	dropped      int // audio chunks dropped since the last reconnect
	activityOpen bool
	audioOpen    bool // audio was sent since the last audioStreamEnd
	inputClosed  bool // CloseSend was called

	mu      sync.Mutex
	sess    *genai.Session // where sends go; nil while reconnecting
	writing *genai.Session // the connection a write is under way on, or nil
	aborted bool           // the write under way was abandoned: its ctx ended and its connection is closed
	// unacked are the tool results written since the last resumable
	// handle arrived on their connection: the service may not have them
	// (a write to a socket that just died "succeeds"), so a resumed
	// connection gets them again.
	unacked []sentResult
}

// A sentResult is a tool result written to sess.
type sentResult struct {
	sess *genai.Session
	msg  outMsg
}

// maxUnacked bounds the tool results kept for a resend (the oldest go).
const maxUnacked = 256

func (s *Stream) lockSend(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.send.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return fullduplex.ErrClosed
	}
}

func (s *Stream) unlockSend() { <-s.send.sem }

// current returns the connection sends go to, or nil.
func (sd *sender) current() *genai.Session {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	return sd.sess
}

// usable returns why the stream cannot send now, or nil.
func (s *Stream) usable() error {
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	if !s.started.Load() {
		return fullduplex.ErrNotConnected
	}
	select {
	case <-s.ended:
		return fmt.Errorf("gemini: stream ended: %w", s.endErr)
	default:
		return nil
	}
}

// deliver sends msgs in order under the send lock; while the stream is
// reconnecting they wait in the send buffer.
func (s *Stream) deliver(ctx context.Context, msgs ...outMsg) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	for i := range msgs {
		if err := s.deliverLocked(ctx, &msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

// deliverLocked writes m to the current connection, or buffers it. ctx
// bounds the write: if it ends first, the write is abandoned, the
// connection (which now holds half a message) is closed so that the stream
// reconnects, and deliverLocked returns ctx's error (m is not sent). A
// write abandoned by a switch to a new connection (see sender.detach), or
// broken under it, is buffered for the next connection.
func (s *Stream) deliverLocked(ctx context.Context, m *outMsg) error {
	if err := s.usable(); err != nil {
		return err
	}
	sd := &s.send
	sess := sd.current()
	if sess == nil {
		return s.enqueueLocked(*m)
	}
	err, aborted := sd.write(ctx, sess, m)
	if err == nil {
		if m.toolResult != nil && s.canReconnect() {
			sd.sent(sess, *m)
		}
		return nil
	}
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	if aborted {
		return ctx.Err()
	}
	if !isWriteError(err) {
		return redact.Error(fmt.Errorf("gemini: send: %w", err), s.secrets()...)
	}
	sd.mu.Lock()
	abandoned := sd.sess != sess // a switch detached it meanwhile
	broken := !abandoned && s.canReconnect()
	if broken {
		sd.sess = nil
	}
	sd.mu.Unlock()
	if !abandoned && !broken {
		return redact.Error(fmt.Errorf("gemini: send: %w", err), s.secrets()...)
	}
	if broken {
		// The connection broke under this write. Close it so that its
		// reader reports the break and the supervisor reconnects; m goes
		// out on the next connection.
		_ = sess.Close()
	}
	return s.enqueueLocked(*m)
}

// write writes m on sess; the caller holds the send token. If ctx ends
// during the write, the connection is closed (a half-written message
// spoils it), which ends the write, and aborted is true.
func (sd *sender) write(ctx context.Context, sess *genai.Session, m *outMsg) (err error, aborted bool) {
	sd.mu.Lock()
	sd.writing = sess
	sd.mu.Unlock()
	var stop func() bool
	if ctx.Done() != nil {
		stop = context.AfterFunc(ctx, func() {
			sd.mu.Lock()
			defer sd.mu.Unlock()
			if sd.writing == sess {
				sd.aborted = true
				_ = sess.Close()
			}
		})
	}
	err = m.send(sess)
	if stop != nil {
		stop()
	}
	sd.mu.Lock()
	sd.writing = nil
	aborted, sd.aborted = sd.aborted, false
	sd.mu.Unlock()
	return err, aborted && err != nil
}

// sent keeps a tool result written to sess until a resumable handle
// arrives on sess.
func (sd *sender) sent(sess *genai.Session, m outMsg) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	sd.unacked = append(sd.unacked, sentResult{sess, m})
	if n := len(sd.unacked) - maxUnacked; n > 0 {
		sd.unacked = append(sd.unacked[:0], sd.unacked[n:]...)
	}
}

// ack forgets the tool results written to sess before a resumable handle
// arrived on it: a session resumed from that handle has them. (While the
// service waits for a blocking tool's result, its handles are not
// resumable, so a resumable one shows the result arrived.)
func (sd *sender) ack(sess *genai.Session) {
	sd.mu.Lock()
	defer sd.mu.Unlock()
	kept := sd.unacked[:0]
	for _, r := range sd.unacked {
		if r.sess != sess {
			kept = append(kept, r)
		}
	}
	clear(sd.unacked[len(kept):])
	sd.unacked = kept
}

// isWriteError tells a broken connection from a message the SDK refused.
func isWriteError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"deepMarshal", "marshal", "Unsupported mime type", "tAudioBlob", "tImageBlob"} {
		if strings.Contains(msg, p) {
			return false
		}
	}
	return true
}

// enqueueLocked buffers m; audio beyond one second drops the oldest audio.
func (s *Stream) enqueueLocked(m outMsg) error {
	sd := &s.send
	if m.audioBytes > 0 {
		for sd.pendingAudio+m.audioBytes > sd.maxAudio {
			i := 0
			for i < len(sd.pending) && sd.pending[i].audioBytes == 0 {
				i++
			}
			if i == len(sd.pending) {
				break
			}
			sd.pendingAudio -= sd.pending[i].audioBytes
			sd.pending = append(sd.pending[:i], sd.pending[i+1:]...)
			sd.dropped++
		}
		if sd.pendingAudio+m.audioBytes > sd.maxAudio {
			sd.dropped++ // a single chunk longer than the bound
			return nil
		}
	}
	if len(sd.pending) >= maxPending {
		return ErrSendBufferFull
	}
	sd.pending = append(sd.pending, m)
	sd.pendingAudio += m.audioBytes
	return nil
}

// install makes sess the connection sends go to, after writing what it
// owes: the tool results not acknowledged on the old connections (when
// resumed: a new session has no calls to answer), then what was buffered.
// It returns how many audio chunks were dropped while there was no
// connection. Its writes are bounded by the stream's life (Close ends
// them). If one fails, sess is closed (its reader then reports the break)
// and the rest stays buffered.
func (s *Stream) install(sess *genai.Session, resumed bool) (dropped int) {
	sd := &s.send
	sd.sem <- struct{}{}
	defer func() { <-sd.sem }()
	sd.mu.Lock()
	owed := sd.unacked
	sd.unacked = nil
	sd.mu.Unlock()
	if resumed && len(owed) > 0 {
		again := make([]outMsg, 0, len(owed)+len(sd.pending))
		for _, r := range owed {
			again = append(again, r.msg)
		}
		sd.pending = append(again, sd.pending...)
	}
	for len(sd.pending) > 0 {
		m := sd.pending[0]
		if err, _ := sd.write(s.ctx, sess, &m); err != nil {
			_ = sess.Close()
			return sd.dropped
		}
		if m.toolResult != nil {
			sd.sent(sess, m)
		}
		sd.pending = sd.pending[1:]
		sd.pendingAudio -= m.audioBytes
	}
	sd.pending = nil
	sd.mu.Lock()
	sd.sess = sess
	sd.mu.Unlock()
	dropped, sd.dropped = sd.dropped, 0
	return dropped
}

// detach stops sends from using the current connection: they are buffered
// until install. It does not wait for a write under way on the old
// connection: that write ends when the old connection is closed, and its
// message is then buffered too.
func (sd *sender) detach() {
	sd.mu.Lock()
	sd.sess = nil
	sd.mu.Unlock()
}

// Send sends one symbol: audio as realtime input (16-bit mono PCM at
// Config.InputSampleRate; any other rate is refused with an error wrapping
// fullduplex.ErrInvalidSymbol, never sent mislabelled), images and video
// frames as realtime video (image/* MIME types), and text as a complete
// client turn. A text turn sent while the answer to an earlier one is owed
// and has not started (no model output since the last terminator) waits in
// the stream and goes out when that answer's terminator arrives, so that
// each gets its own answer, in order (the service would cut an answer
// that has not begun); text sent while the model's output is under way
// goes out at once (barge-in: the service cuts the current answer). With
// automatic activity detection disabled, audio sent
// outside an activity first opens one (activityStart). While the stream
// reconnects, symbols are buffered (at most one second of audio, the oldest
// dropped and counted in ReconnectInfo.DroppedAudio); if the reconnect
// fails, what is buffered ends with the stream. A write that the kernel
// accepted on a connection that had already died unnoticed is lost, except
// for tool results (see SendToolResult): the Gemini API offers no
// transparent resumption (that is Vertex AI only).
// After CloseSend, Send returns ErrInputClosed.
//
// ctx bounds the whole call, the write too: a write still under way when
// ctx ends (the peer stopped reading) is abandoned, Send returns ctx's
// error and the symbol is not sent, and the connection, which now holds
// half a message, is replaced (the stream reconnects, or ends if it
// cannot). A GoAway switch does not wait for a write stuck on the old
// connection: the write is abandoned and its symbol goes out on the new
// connection.
func (s *Stream) Send(ctx context.Context, sym fullduplex.Symbol) error {
	if err := s.usable(); err != nil {
		return err
	}
	m, err := symbolMsg(sym, s.rc.InputSampleRate)
	if err != nil {
		return err
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	if s.send.inputClosed {
		return ErrInputClosed
	}
	if m.audioBytes > 0 && s.rc.manualActivity() && !s.send.activityOpen {
		if err := s.deliverLocked(ctx, &msgActivityStart); err != nil {
			return err
		}
		s.send.activityOpen = true
	}
	// The ledger counts the input before it goes out, so that the answer
	// can never be counted first.
	switch {
	case m.audioBytes > 0:
		s.send.audioOpen = true
		loud := audible(sym.Data)
		s.turns.sentAudio(loud || s.rc.manualActivity(), loud)
	case m.content != nil:
		if !s.turns.textTurn(m) {
			return nil // typed ahead: it goes out when the owed answer ends
		}
	}
	if err := s.deliverLocked(ctx, &m); err != nil {
		if m.content != nil {
			s.turns.unsentText()
		}
		return err
	}
	return nil
}

// SendEnd marks the end of the user's input: audioStreamEnd with automatic
// activity detection, activityEnd (if an activity is open) without. After
// CloseSend it does nothing.
func (s *Stream) SendEnd(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	if s.send.inputClosed {
		return nil
	}
	if !s.rc.manualActivity() {
		s.send.audioOpen = false
		return s.deliverLocked(ctx, &msgAudioEnd)
	}
	if !s.send.activityOpen {
		return nil
	}
	s.send.activityOpen = false
	return s.deliverLocked(ctx, &msgActivityEnd)
}

// errAutomaticActivity refuses manual activity signals.
var errAutomaticActivity = errors.New("gemini: activity signals need automatic activity detection off (Config.ActivityDetection.Disabled)")

// SendActivityStart tells the service the user started speaking. It needs
// automatic activity detection disabled (Config.ActivityDetection.Disabled).
func (s *Stream) SendActivityStart(ctx context.Context) error {
	return s.activity(ctx, true)
}

// SendActivityEnd tells the service the user stopped speaking. It needs
// automatic activity detection disabled (Config.ActivityDetection.Disabled).
func (s *Stream) SendActivityEnd(ctx context.Context) error {
	return s.activity(ctx, false)
}

func (s *Stream) activity(ctx context.Context, start bool) error {
	if err := s.usable(); err != nil {
		return err
	}
	if !s.rc.manualActivity() {
		return errAutomaticActivity
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	if s.send.inputClosed {
		return ErrInputClosed
	}
	m := msgActivityEnd
	if start {
		m = msgActivityStart
	}
	if err := s.deliverLocked(ctx, &m); err != nil {
		return err
	}
	s.send.activityOpen = start
	return nil
}

// InterruptOutput asks the service to stop the model's current output. With
// automatic activity detection off it sends activityStart unless an
// activity is already open (the service cuts the model off when user
// activity starts). With automatic detection on, or after CloseSend, it
// does nothing and returns nil: the service interrupts by itself when it
// hears the user, and says so with fullduplex.EventInterrupt.
func (s *Stream) InterruptOutput(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if !s.rc.manualActivity() {
		return nil
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	if s.send.activityOpen || s.send.inputClosed {
		return nil // the service already knows the user is active, or input is over
	}
	if err := s.deliverLocked(ctx, &msgActivityStart); err != nil {
		return err
	}
	s.send.activityOpen = true
	return nil
}

// SendToolResult sends the result of a tool call as a tool response:
// Output as {"output": Output}, Error as {"error": Error}, Scheduling as
// the response's scheduling (INTERRUPT, WHEN_IDLE, SILENT; for a tool
// declared NonBlocking). Output must marshal to JSON. A result sent during
// a reconnect is buffered, never dropped; a result written is kept until a
// resumable handle arrives on its connection after it (the service sends
// none while it waits for a blocking tool's result), and sent again on a
// resumed connection, so one written to a socket that had just died is not
// lost.
func (s *Stream) SendToolResult(ctx context.Context, r fullduplex.ToolResult) error {
	if err := s.usable(); err != nil {
		return err
	}
	if r.ID == "" && r.Name == "" {
		return fmt.Errorf("gemini: tool result without ID or name")
	}
	m, err := toolResultMsg(r)
	if err != nil {
		return err
	}
	if _, err := jsonMarshal(m.toolResult.FunctionResponses[0].Response); err != nil {
		return fmt.Errorf("gemini: tool %q result does not marshal to JSON: %w", r.Name, err)
	}
	return s.deliver(ctx, m)
}
