package gemini

import (
	"context"
	"errors"
	"fmt"
	"strings"

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
// buffers them while there is no connection. Its fields are guarded by sem.
type sender struct {
	sem          chan struct{} // one token
	sess         *genai.Session
	pending      []outMsg
	pendingAudio int // bytes of audio in pending
	maxAudio     int // bound of pendingAudio: one second of input audio
	dropped      int // audio chunks dropped since the last reconnect
	activityOpen bool
	audioOpen    bool // audio was sent since the last audioStreamEnd
	inputClosed  bool // CloseSend was called
}

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
		if err := s.deliverLocked(&msgs[i]); err != nil {
			return err
		}
	}
	return nil
}

func (s *Stream) deliverLocked(m *outMsg) error {
	if err := s.usable(); err != nil {
		return err
	}
	if s.send.sess == nil {
		return s.enqueueLocked(*m)
	}
	err := m.send(s.send.sess)
	if err == nil {
		return nil
	}
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	if !isWriteError(err) || !s.canReconnect() {
		return redact.Error(fmt.Errorf("gemini: send: %w", err), s.secrets()...)
	}
	// The connection broke under this write. Close it so that its reader
	// reports the break and the supervisor reconnects; m goes out on the
	// next connection.
	broken := s.send.sess
	s.send.sess = nil
	_ = broken.Close()
	return s.enqueueLocked(*m)
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

// install makes sess the connection sends go to, after writing what was
// buffered. It returns how many audio chunks were dropped while there was
// none. If a buffered write fails, sess is closed (its reader then reports
// the break) and the rest stays buffered.
func (sd *sender) install(sess *genai.Session) (dropped int) {
	sd.sem <- struct{}{}
	defer func() { <-sd.sem }()
	for len(sd.pending) > 0 {
		m := sd.pending[0]
		if err := m.send(sess); err != nil {
			_ = sess.Close()
			return sd.dropped
		}
		sd.pending = sd.pending[1:]
		sd.pendingAudio -= m.audioBytes
	}
	sd.pending = nil
	sd.sess = sess
	dropped, sd.dropped = sd.dropped, 0
	return dropped
}

// detach stops sends from using the current connection: they are buffered
// until install.
func (sd *sender) detach() {
	sd.sem <- struct{}{}
	sd.sess = nil
	<-sd.sem
}

// Send sends one symbol: audio as realtime input (16-bit mono PCM at
// Config.InputSampleRate; any other rate is refused with an error wrapping
// fullduplex.ErrInvalidSymbol, never sent mislabelled), images and video
// frames as realtime video (image/* MIME types), and text as a complete
// client turn. With automatic activity detection disabled, audio sent
// outside an activity first opens one (activityStart). While the stream
// reconnects, symbols are buffered (at most one second of audio, the oldest
// dropped and counted in ReconnectInfo.DroppedAudio); if the reconnect
// fails, what is buffered ends with the stream. A write that the kernel
// accepted on a connection that had already died unnoticed is lost: the
// Gemini API offers no transparent resumption (that is Vertex AI only).
// After CloseSend, Send returns ErrInputClosed.
//
// ctx bounds the wait for the send lock; the write itself is not
// interruptible, but Close unblocks it.
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
		if err := s.deliverLocked(&msgActivityStart); err != nil {
			return err
		}
		s.send.activityOpen = true
	}
	// The ledger counts the input before it goes out, so that the answer
	// can never be counted first.
	switch {
	case m.audioBytes > 0:
		s.send.audioOpen = true
		s.turns.sentAudio()
	case m.content != nil:
		s.turns.sentText()
	}
	if err := s.deliverLocked(&m); err != nil {
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
		return s.deliverLocked(&msgAudioEnd)
	}
	if !s.send.activityOpen {
		return nil
	}
	s.send.activityOpen = false
	return s.deliverLocked(&msgActivityEnd)
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
	if err := s.deliverLocked(&m); err != nil {
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
	if err := s.deliverLocked(&msgActivityStart); err != nil {
		return err
	}
	s.send.activityOpen = true
	return nil
}

// SendToolResult sends the result of a tool call as a tool response:
// Output as {"output": Output}, Error as {"error": Error}, Scheduling as
// the response's scheduling (INTERRUPT, WHEN_IDLE, SILENT; for a tool
// declared NonBlocking). Output must marshal to JSON. A result sent during a reconnect is buffered, never
// dropped.
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
