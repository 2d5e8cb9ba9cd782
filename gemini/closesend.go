package gemini

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/downlink"
)

// ErrInputClosed is returned by Send (and the activity signals) after
// CloseSend.
var ErrInputClosed = errors.New("gemini: input closed by CloseSend")

// DefaultCloseSendWait is the default of Config.CloseSendWait.
const DefaultCloseSendWait = 10 * time.Second

// A ledger keeps the count of answers the model owes, so that CloseSend
// knows when the stream may end. Its fields are guarded by mu; finish is
// closed under mu, once.
//
// An answer is owed for every text turn sent (the service answers every
// client turn) and for audible audio sent since the last finished model
// turn — silence after an answer owes nothing (see audible); with manual
// activity detection, any audio — (the service answers speech and says
// nothing about silence or noise, hence the bound Config.CloseSendWait). A model turn that starts while text is owed answers
// the oldest text turn: its terminator, finished or cut, pays it; text sent
// while a turn is under way is answered by a later turn (the service cuts
// the current one). A finished turn (EventStreamEnd) pays all audio; a cut
// one does not, since the speech that cut it is answered next.
//
// The ledger also queues typed-ahead text (see Stream.Send): a text turn
// that arrives while a text answer is owed and has not started is held,
// and released (due) by the terminator that pays that answer.
type ledger struct {
	mu        sync.Mutex
	owedText  int      // text turns sent whose answers have not ended
	held      []outMsg // text turns waiting for the owed answer to end, oldest first
	due       int      // held turns released by terminators, not yet taken by sendHeld
	releasing bool     // a sendHeld goroutine runs (one at a time)
	audio     bool     // audio that asks for an answer sent since the last EventStreamEnd
	voice     bool     // the last audio sent was audible
	speaking  bool     // the model has produced output since the last terminator
	answering bool     // the current model turn answers a text turn
	lastWord  bool     // the current model turn started after CloseSend: it answers all the audio
	closed    bool     // CloseSend was called
	ending    bool     // CloseSend is ending the input: a turn starting now answers all of it
	finish    chan struct{}
	kick      chan struct{} // capacity 1: closed, speaking or due changed (wakes the reader)
}

func newLedger() ledger {
	return ledger{finish: make(chan struct{}), kick: make(chan struct{}, 1)}
}

// textTurn counts a text turn about to go out, or holds it (and reports
// false) when a text answer is owed and has not started, or earlier turns
// are held: the service would cut that answer before it begins.
func (l *ledger) textTurn(m outMsg) (send bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.held) > 0 || (l.owedText > 0 && !l.speaking) {
		l.held = append(l.held, m)
		return false
	}
	l.owedText++
	return true
}

// takeDue returns the next held text turn a terminator released, counted
// as sent; ok is false when none is due, and then the caller's sendHeld
// ends (a later release starts another).
func (l *ledger) takeDue() (m outMsg, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.due == 0 || len(l.held) == 0 {
		l.releasing = false
		return outMsg{}, false
	}
	l.due--
	m = l.held[0]
	l.held[0] = outMsg{}
	l.held = l.held[1:]
	l.owedText++
	return m, true
}

// claimRelease reports whether a held text turn is released and no
// sendHeld runs: the caller then starts one.
func (l *ledger) claimRelease() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.releasing || l.due == 0 || len(l.held) == 0 {
		return false
	}
	l.releasing = true
	return true
}

// stopReleasing ends a sendHeld that could not send.
func (l *ledger) stopReleasing() {
	l.mu.Lock()
	l.releasing = false
	l.mu.Unlock()
}

// newSession forgets the answers owed on a session that is gone (a
// reconnect that could not resume): they will never come. The oldest held
// text turn is released.
func (l *ledger) newSession() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.owedText, l.audio, l.speaking, l.answering = 0, false, false, false
	if len(l.held) > 0 && l.due == 0 {
		l.due = 1
	}
	l.kickLocked()
}

// unsentText takes back a text turn that could not be sent.
func (l *ledger) unsentText() {
	l.mu.Lock()
	l.owedText = max(0, l.owedText-1)
	l.mu.Unlock()
}

// sentAudio notes audio sent: owed is true when it asks for an answer (it
// is audible, or the client marks activity itself), speaking when it was
// audible, so that a turn ending during it leaves it owed.
func (l *ledger) sentAudio(owed, speaking bool) {
	l.mu.Lock()
	l.audio = l.audio || owed
	l.voice = speaking
	l.mu.Unlock()
}

// received notes an item handed to Receive; it reports whether the stream
// is now finished (after CloseSend, the last owed answer has ended).
func (l *ledger) received(it fullduplex.StreamItem) (finished bool) {
	var term, end, output bool
	switch v := it.(type) {
	case fullduplex.Symbol:
		output = v.Role() == fullduplex.RoleModel
	case fullduplex.StreamEvent:
		switch v.Type {
		case fullduplex.EventStreamEnd:
			term, end = true, true
		case fullduplex.EventInterrupt:
			term = true
		case fullduplex.EventToolCall:
			output = true
		}
	}
	if !term && !output {
		return false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.speaking { // the turn starts now
		l.answering = l.owedText > 0
		l.lastWord = l.closed || l.ending
	}
	if output {
		if !l.speaking {
			l.speaking = true
			l.kickLocked()
		}
		return false
	}
	l.speaking = false
	if l.answering {
		l.owedText = max(0, l.owedText-1)
		l.answering = false
		if len(l.held) > l.due {
			l.due++ // the next typed-ahead turn goes out now
		}
	}
	if end {
		// Speech still going on when the turn ends is answered later;
		// a turn that started after CloseSend has heard all there is.
		l.audio = l.voice && !l.lastWord
	}
	l.kickLocked()
	return l.finishIfDoneLocked()
}

// end notes that CloseSend is about to end the input: the service may
// answer it (a turn whose first output arrives) before close is called.
func (l *ledger) end() {
	l.mu.Lock()
	l.ending = true
	l.mu.Unlock()
}

// close marks the input closed; it reports whether the stream is finished
// at once (nothing owed, no turn under way).
func (l *ledger) close() (finished bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.closed = true
	l.kickLocked()
	return l.finishIfDoneLocked()
}

// waiting reports whether, after CloseSend, an answer is owed that the
// model has not started: the state Config.CloseSendWait bounds.
func (l *ledger) waiting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.closed && !l.speaking && (l.owedText > 0 || l.audio || len(l.held) > 0) && !downlink.IsDone(l.finish)
}

// giveUp ends the wait for owed answers that never started.
func (l *ledger) giveUp() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed && !l.speaking {
		l.owedText, l.audio, l.answering = 0, false, false
		clear(l.held)
		l.held, l.due = nil, 0
		l.finishIfDoneLocked()
	}
}

func (l *ledger) finishIfDoneLocked() bool {
	if !l.closed || l.speaking || l.owedText > 0 || l.audio || len(l.held) > 0 {
		return false
	}
	if !downlink.IsDone(l.finish) {
		close(l.finish)
	}
	return true
}

func (l *ledger) kickLocked() {
	select {
	case l.kick <- struct{}{}:
	default:
	}
}

// sendHeld sends the held text turns that terminators released, in order,
// on its own goroutine (started by the reader, which must never wait for
// the send lock). They go out even after CloseSend: they were accepted
// before it.
// releaseHeld starts sendHeld if a held text turn is due and none runs.
func (s *Stream) releaseHeld() {
	if s.turns.claimRelease() && !s.goTracked(s.sendHeld) {
		s.turns.stopReleasing()
	}
}

func (s *Stream) sendHeld() {
	if s.lockSend(s.ctx) != nil {
		s.turns.stopReleasing()
		return
	}
	defer s.unlockSend()
	for {
		m, ok := s.turns.takeDue()
		if !ok {
			return
		}
		if err := s.deliverLocked(s.ctx, &m); err != nil {
			s.turns.unsentText()
			s.turns.stopReleasing()
			return
		}
	}
}

// CloseSend ends the input for good: "no more input — answer what you
// have, then end cleanly". It ends the audio stream (audioStreamEnd, or
// activityEnd with manual activity detection) if audio was sent since the
// last end of input, and from then on Send, SendEnd and the activity signals
// return ErrInputClosed (tool results still go out: the last answer may need
// them). The stream then finishes the model turn that answers the input
// already sent, if any — every text turn, and audio sent since the model's
// last finished turn, waiting at most Config.CloseSendWait for an answer
// that has not started — and Receive returns io.EOF after that turn's
// terminator; the connection is closed. With nothing owed, Receive returns
// io.EOF once the items already received are taken. CloseSend does not wait
// for the answer; ctx bounds only the wait for the send lock. It is
// idempotent, and safe during a reconnect (the end of the audio stream is
// buffered like any send).
func (s *Stream) CloseSend(ctx context.Context) error {
	if !s.started.Load() {
		return s.usable()
	}
	if err := s.lockSend(ctx); err != nil {
		return err
	}
	if s.send.inputClosed {
		s.unlockSend()
		return nil
	}
	if err := s.usable(); err != nil {
		s.unlockSend()
		return err
	}
	s.send.inputClosed = true
	s.turns.end() // before the end goes out: the answer may come before close
	var err error
	switch {
	case s.rc.manualActivity() && s.send.activityOpen:
		s.send.activityOpen = false
		err = s.deliverLocked(ctx, &msgActivityEnd)
	case !s.rc.manualActivity() && s.send.audioOpen:
		err = s.deliverLocked(ctx, &msgAudioEnd)
	}
	s.send.audioOpen = false
	s.unlockSend()
	s.turns.close()
	return err
}
