package realtime

import (
	"context"
	"fmt"
	"maps"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// Send adds one user Symbol to the conversation. While the model answers,
// the Symbol is held aside and added after the answer. Depending on
// Config.Triggers it may complete the user's turn. A turn completed while
// no model call runs starts one at once. A turn completed before the
// answer in progress is under way (before Receive has returned any of its
// symbols) is typed ahead: it waits, and gets its own answer after that
// one, in order. A turn completed while the answer is under way cuts it off
// (barge-in) and is answered next, after any turns typed ahead of it.
// Audio may also cut the answer off at the start of speech.
//
// Audio must be 16-bit mono PCM. A Symbol that fails Validate, or audio the
// detector cannot take, is refused with an error wrapping
// fullduplex.ErrInvalidSymbol; the stream stays usable.
func (s *Stream) Send(ctx context.Context, sym fullduplex.Symbol) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := sym.Validate(); err != nil {
		return err
	}
	if sym.Modality == fullduplex.ModalityAudio && sym.Channels() != 1 {
		return fmt.Errorf("%w: realtime takes mono audio, got %d channels", fullduplex.ErrInvalidSymbol, sym.Channels())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	if s.inputClosed {
		return ErrInputClosed
	}
	switch sym.Modality {
	case fullduplex.ModalityAudio:
		if err := s.hearLocked(sym); err != nil {
			return err
		}
	case fullduplex.ModalityText:
		s.textLocked(sym)
	default:
		s.userLocked(sym)
	}
	if done, _ := sym.Metadata[MetaTurnComplete].(bool); done && s.cfg.Triggers&TriggerText != 0 {
		s.triggerLocked(true)
	}
	return nil
}

// SendEnd completes the user's turn when Config.Triggers has
// TriggerSendEnd and there is user input the model has not answered yet;
// otherwise it does nothing. After CloseSend it does nothing either, so a
// DuplexSession may end its input with SendEnd as usual.
func (s *Stream) SendEnd(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	if s.cfg.Triggers&TriggerSendEnd != 0 {
		s.triggerLocked(true)
	}
	return nil
}

// InterruptOutput cuts off the answer in progress at once: the model call
// is cancelled, output Receive has not returned yet is dropped, and
// fullduplex.EventInterrupt is queued. Only what Receive returned enters
// the history. With no answer in progress it does nothing.
// fullduplex.DuplexSession calls it on Interrupt.
func (s *Stream) InterruptOutput(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	s.interruptLocked()
	return nil
}

// hearLocked takes an audio chunk: the detector decides whether it is
// speech worth keeping, and its transitions may cut off the answer or
// complete the turn.
func (s *Stream) hearLocked(sym fullduplex.Symbol) error {
	if !s.cfg.listens() {
		s.userLocked(sym)
		return nil
	}
	was := s.listen.speaking()
	events, err := s.listen.hear(sym)
	if err != nil {
		return err
	}
	started := false
	for _, ev := range events {
		started = started || ev == vad.SpeechStart
	}
	switch {
	case s.cfg.KeepSilence:
		s.userLocked(sym)
	case was || started:
		if !was {
			for _, p := range s.listen.takePreRoll() {
				s.userLocked(p)
			}
		}
		s.userLocked(sym)
	default:
		s.listen.hold(sym)
	}
	for _, ev := range events {
		switch ev {
		case vad.SpeechStart:
			if !s.cfg.DisableBargeIn {
				s.interruptLocked()
			}
		case vad.SpeechEnd:
			if s.cfg.Triggers&TriggerEndOfSpeech != 0 {
				s.triggerLocked(true)
			}
		}
	}
	return nil
}

// textLocked takes a text symbol: a typed message or a transcript.
func (s *Stream) textLocked(sym fullduplex.Symbol) {
	if transcript, _ := sym.Metadata[fullduplex.MetaTranscript].(bool); transcript {
		if s.cfg.EchoTranscripts {
			echo := sym
			echo.Metadata = maps.Clone(sym.Metadata)
			echo.Metadata[fullduplex.MetaRole] = fullduplex.RoleUser
			s.enqueueLocked(echo, 0)
		}
		// A transcript without MetaFinal may still be revised: it stays out
		// of the prompt.
		if final, _ := sym.Metadata[fullduplex.MetaFinal].(bool); !final {
			return
		}
		s.userLocked(sym)
		if s.cfg.Triggers&TriggerFinalTranscript != 0 {
			s.triggerLocked(true)
		}
		return
	}
	s.userLocked(sym)
	if s.cfg.Triggers&TriggerText != 0 {
		s.triggerLocked(true)
	}
}

// userLocked adds user content to the history, or holds it aside while the
// model answers.
func (s *Stream) userLocked(sym fullduplex.Symbol) {
	if s.call != nil {
		s.held = append(s.held, sym)
	} else {
		s.hist.add(fullduplex.RoleUser, sym, s.cfg.Now())
	}
	s.userNew = true
}

// applyHeldLocked adds the input held aside during an answer.
func (s *Stream) applyHeldLocked() {
	now := s.cfg.Now()
	for i, sym := range s.held {
		s.hist.add(fullduplex.RoleUser, sym, now)
		s.held[i] = fullduplex.Symbol{}
	}
	s.held = s.held[:0]
}
