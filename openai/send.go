package openai

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/downlink"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

var jsonUnmarshal = json.Unmarshal

// uplink converts input audio to the wire format. Its fields are guarded
// by the Stream's sendSem.
type uplink struct {
	format   Format
	inRate   int
	wireRate int
	res      *pcm.Resampler // inRate → wireRate; nil when they are equal
	samples  []int16
	out      []int16
	wire     []byte
}

func (u *uplink) init(c Config) error {
	u.format, u.inRate, u.wireRate = c.InputFormat, c.InputSampleRate, c.InputFormat.rate()
	if u.inRate == u.wireRate {
		return nil
	}
	r, err := pcm.NewResampler(u.inRate, u.wireRate)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	u.res = r
	return nil
}

// convert returns the wire bytes of 16-bit PCM at rate (the input rate or
// the wire rate). The result is a new slice.
func (u *uplink) convert(data []byte, rate int) ([]byte, error) {
	var err error
	u.samples, err = pcm.DecodeInt16(u.samples[:0], data)
	if err != nil {
		return nil, err
	}
	in := u.samples
	if rate != u.wireRate && u.res != nil {
		u.out = u.res.Process(u.out[:0], in)
		in = u.out
	}
	switch u.format {
	case FormatPCMU:
		return pcm.AppendMuLaw(nil, in), nil
	case FormatPCMA:
		return pcm.AppendALaw(nil, in), nil
	}
	return pcm.EncodeInt16(nil, in), nil
}

func (s *Stream) lockSend(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	select {
	case s.sendSem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return fullduplex.ErrClosed
	}
}

func (s *Stream) unlockSend() { <-s.sendSem }

// waitRoomLocked waits, with s.mu held (and released while waiting), until
// the send queue has room.
func (s *Stream) waitRoomLocked(ctx context.Context) error {
	for s.q.full() {
		ch := s.q.room
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		case <-s.ctx.Done():
		}
		s.mu.Lock()
		if err := s.usable(); err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// Send sends one symbol:
//
//   - audio (16-bit mono PCM at Config.InputSampleRate, or at the wire
//     rate) as input_audio_buffer.append, resampled and encoded to
//     Config.InputFormat;
//   - text as a user message (conversation.item.create) and the request for
//     its answer (response.create): a complete user turn. A turn sent while
//     an answer is under way or asked for waits for it to end, so each turn
//     gets its own answer, in order;
//   - an image (or a video frame with an image MIME type) as a user message
//     with input_image, which the next answer sees.
//
// A symbol the service cannot take is refused with an error wrapping
// fullduplex.ErrInvalidSymbol. Send returns once the event is queued for
// the writer (in order with every other); while the stream reconnects,
// events wait in the queue (Config.SendBuffer; Send blocks when it is full,
// within ctx). After CloseSend, Send returns ErrInputClosed.
func (s *Stream) Send(ctx context.Context, sym fullduplex.Symbol) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := sym.Validate(); err != nil {
		return err
	}
	var image string
	switch sym.Modality {
	case fullduplex.ModalityAudio:
		if rate := sym.SampleRate(); rate != s.up.inRate && rate != s.up.wireRate {
			return fmt.Errorf("%w: audio at %d Hz; the stream takes %d Hz (Config.InputSampleRate) or %d Hz", fullduplex.ErrInvalidSymbol, rate, s.up.inRate, s.up.wireRate)
		}
		if sym.Channels() != 1 {
			return fmt.Errorf("%w: audio has %d channels; the stream takes mono", fullduplex.ErrInvalidSymbol, sym.Channels())
		}
	case fullduplex.ModalityImage, fullduplex.ModalityVideo:
		if !strings.HasPrefix(sym.MIMEType, "image/") {
			return fmt.Errorf("%w: %s with MIME type %q; the Realtime API takes images (image/*)", fullduplex.ErrInvalidSymbol, sym.Modality, sym.MIMEType)
		}
		image = "data:" + sym.MIMEType + ";base64," + base64.StdEncoding.EncodeToString(sym.Data)
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	var wire []byte
	if sym.Modality == fullduplex.ModalityAudio {
		var err error
		if wire, err = s.up.convert(sym.Data, sym.SampleRate()); err != nil {
			return fmt.Errorf("%w: %w", fullduplex.ErrInvalidSymbol, err)
		}
		if len(wire) == 0 {
			return nil // held by the resampler until more comes
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.waitRoomLocked(ctx); err != nil {
		return err
	}
	if s.t.inputClosed {
		return ErrInputClosed
	}
	switch sym.Modality {
	case fullduplex.ModalityAudio:
		at := sym.Timestamp
		if at.IsZero() {
			at = time.Now()
		}
		s.q.add(outFrame{data: appendFrame(wire), kind: frameAudio, samples: len(wire) / s.up.format.bytesPerSample(), at: at})
		s.t.uncommitted = true
	case fullduplex.ModalityText:
		in := inputTurn{text: string(sym.Data)}
		if s.t.idle() && len(s.t.waiting) == 0 {
			s.sendTurnLocked(in)
		} else {
			s.t.waiting = append(s.t.waiting, in)
		}
	default:
		item := wireItem{Type: "message", Role: "user", Content: []wireContent{{Type: "input_image", ImageURL: image}}}
		s.q.add(outFrame{data: encode(clientEvent{Type: "conversation.item.create", Item: &item})})
	}
	return nil
}

// SendEnd ends the user's spoken turn. Without turn detection
// (TurnDetection.Type NoDetection: push-to-talk) it commits the audio sent
// since the last commit (input_audio_buffer.commit) and asks for the
// answer (response.create, after the answer in progress if one is). With
// the service's turn detection it does nothing: the service ends turns by
// itself. After CloseSend it does nothing.
func (s *Stream) SendEnd(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.t.inputClosed || s.cfg.vad() || !s.t.uncommitted {
		return nil
	}
	s.commitLocked()
	return nil
}

// commitLocked commits the audio buffer and asks for its answer.
func (s *Stream) commitLocked() {
	t := &s.t
	s.q.add(outFrame{data: encode(clientEvent{Type: "input_audio_buffer.commit"})})
	t.ourCommits++
	t.uncommitted = false
	if t.idle() && len(t.waiting) == 0 {
		s.askLocked()
	} else {
		t.waiting = append(t.waiting, inputTurn{respond: true})
	}
}

// CloseSend ends the input for good: "no more input — answer what you
// have, then end cleanly". Audio not yet committed is committed and
// answered when it is a turn: always without turn detection, and with it
// while the service hears the user speaking. Typed turns waiting for their
// answers are answered, in order; so are tool results still to come for
// the calls the model made. Then Receive returns io.EOF after the last
// answer's terminator, and the connection is closed. An answer asked for
// that has not started after Config.CloseSendWait is given up. Send returns
// ErrInputClosed from then on; tool results still go out. CloseSend does not
// wait for the answers; ctx bounds only the wait for the send lock. It is
// idempotent.
func (s *Stream) CloseSend(ctx context.Context) error {
	if err := s.usable(); err != nil {
		if !s.started.Load() {
			return err
		}
		if downlink.IsDone(s.ended) {
			return nil
		}
		return err
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	s.mu.Lock()
	defer s.mu.Unlock()
	t := &s.t
	if t.inputClosed {
		return nil
	}
	if t.uncommitted && (!s.cfg.vad() || t.speech) {
		s.commitLocked()
	}
	t.inputClosed, t.closedAt = true, time.Now()
	t.wake()
	return nil
}

// InterruptOutput cuts the answer in progress off (barge-in from the
// client): it asks the service to cancel it (response.cancel) and truncates
// its audio in the conversation to what the listener heard
// (conversation.item.truncate with audio_end_ms from the PlaybackReporter,
// clamped to the audio received; everything received without a reporter).
// The turn then ends with fullduplex.EventInterrupt. With no answer in
// progress, the last answer's audio is truncated to what the reporter says
// was played, if it was not played in full. It returns at once; it never
// waits on the network.
func (s *Stream) InterruptOutput(ctx context.Context) error {
	if err := s.usable(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.t.resp; r != nil {
		if !r.cut {
			s.cutLocked(r, true, time.Now())
			s.t.wake()
		}
		return nil
	}
	s.truncateHeardLocked(s.t.last)
	return nil
}

// SendToolResult sends the result of a tool call as a function_call_output
// item: Output marshalled to JSON, or {"error": Error}. Once every call of
// the model's turn is answered, the stream asks for the model's answer
// (response.create), after the answer in progress if one is; a result with
// Scheduling SchedulingSilent asks for none. Results are queued like every
// client event and survive a reconnect.
func (s *Stream) SendToolResult(ctx context.Context, r fullduplex.ToolResult) error {
	if err := s.usable(); err != nil {
		return err
	}
	if r.ID == "" {
		return fmt.Errorf("openai: tool result without a call ID")
	}
	var out []byte
	var err error
	if r.Error != "" {
		out, err = json.Marshal(map[string]string{"error": r.Error})
	} else {
		out, err = json.Marshal(r.Output)
	}
	if err != nil {
		return fmt.Errorf("openai: tool %q result does not marshal to JSON: %w", r.Name, err)
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	defer s.unlockSend()
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.waitRoomLocked(ctx); err != nil {
		return err
	}
	seq := s.log.addOutput(r.ID, string(out))
	item := wireItem{Type: "function_call_output", CallID: r.ID, Output: string(out)}
	s.q.add(outFrame{data: encode(clientEvent{Type: "conversation.item.create", Item: &item}), kind: frameItem, seq: seq})
	delete(s.t.toolOwed, r.ID)
	if r.Scheduling != fullduplex.SchedulingSilent {
		s.t.wantAnswer = true
	}
	s.dispatchLocked()
	s.t.wake()
	return nil
}
