package realtime

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/fullduplex-go/fullduplex"
)

// errNothingToAnswer is reported when the user's turn has fallen out of the
// window before it was complete.
var errNothingToAnswer = errors.New("realtime: nothing to answer: the user's turn is older than the prompt window")

// reasonError is the TurnEnd.Reason of a turn whose model call failed or
// answered nothing; an EventError before the terminator says why.
const reasonError = "error"

// triggerLocked completes the user's turn, if it has content. With no model
// call running, the next call starts at once. While one runs, the turn
// waits behind it for its own answer (typed ahead); if the answer is under
// way and cut is set, the answer is cut off (barge-in).
func (s *Stream) triggerLocked(cut bool) {
	if !s.userNew || s.closed {
		return
	}
	s.userNew = false
	c := s.call
	if c == nil {
		s.startLocked()
		return
	}
	s.waiting = append(s.waiting, s.held)
	s.held = nil
	if cut && c.said {
		s.interruptLocked()
	}
}

// startLocked starts a model call on the history, on a goroutine Close
// waits for, after cutting the history to the window.
func (s *Stream) startLocked() {
	s.hist.cut(s.cfg.Now(), s.cfg.Window, s.cfg.MaxTurns)
	if s.cfg.MaxImages > 0 {
		s.hist.limitImages(s.cfg.MaxImages)
		s.hist.cut(s.cfg.Now(), s.cfg.Window, 0) // the prompt still starts with the user
	}
	if s.hist.lastRole() != fullduplex.RoleUser {
		s.errorLocked(errNothingToAnswer, 0)
		return
	}
	s.turns++
	ctx, cancel := context.WithCancel(s.base)
	c := &call{turn: s.turns, cancel: cancel}
	s.call = c
	s.wg.Add(1)
	go s.run(ctx, c, s.hist.prompt())
}

// endCallLocked ends the model call in progress. The next user turn typed
// ahead, if any, joins the history and its call starts; otherwise the input
// held aside joins the history.
func (s *Stream) endCallLocked() {
	s.call = nil
	for len(s.waiting) > 0 && s.call == nil {
		turn := s.waiting[0]
		s.waiting[0] = nil
		s.waiting = s.waiting[1:]
		now := s.cfg.Now()
		for _, sym := range turn {
			s.hist.add(fullduplex.RoleUser, sym, now)
		}
		s.startLocked()
	}
	if s.call == nil {
		s.applyHeldLocked()
	}
}

// interruptLocked cuts off the answer in progress, if any: it cancels the
// model call, drops the answer's output that Receive has not returned,
// queues EventInterrupt as the turn's terminator and goes on with the next
// turn. What Receive returned is in the history already; with a
// PlaybackReporter (UsePlayback), only what the listener heard of it stays.
func (s *Stream) interruptLocked() {
	c := s.call
	if c == nil {
		return
	}
	c.cancel()
	s.keepHeardLocked(c.turn)
	kept := s.queue[:0]
	for _, q := range s.queue {
		if q.turn != c.turn {
			kept = append(kept, q)
		}
	}
	clear(s.queue[len(kept):])
	s.queue = kept
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventInterrupt, Data: fullduplex.TurnEnd{Turn: c.turn}, Timestamp: s.cfg.Now()}, 0)
	s.endCallLocked()
}

// run is one model call: it queues the answer for Receive, then its usage,
// then an EventError for a failed or empty answer, then EventStreamEnd.
func (s *Stream) run(ctx context.Context, c *call, prompt []Turn) {
	defer s.wg.Done()
	defer c.cancel()
	n := 0
	var err error
	var usage *fullduplex.StreamEvent
	for item, e := range s.model.Generate(ctx, prompt) {
		if e != nil {
			err = e
			break
		}
		switch it := item.(type) {
		case fullduplex.Symbol:
			if verr := it.Validate(); verr != nil {
				if !s.reportBad(c, fmt.Errorf("the model produced a bad symbol: %w", verr)) {
					return
				}
				continue
			}
			if !s.push(ctx, c, it) {
				return
			}
			n++
		case fullduplex.StreamEvent:
			switch it.Type {
			case fullduplex.EventUsage:
				usage = &it // the call's usage comes once, at the end of the answer
			case fullduplex.EventMetadata:
				if !s.push(ctx, c, it) {
					return
				}
			default:
				if !s.reportBad(c, fmt.Errorf("the model produced a %s event; a TurnModel yields symbols, usage and metadata", it.Type)) {
					return
				}
			}
		default:
			if !s.reportBad(c, errors.New("the model produced a nil item without an error")) {
				return
			}
		}
	}
	if usage != nil && !s.push(ctx, c, *usage) {
		return
	}
	s.finish(c, n, err)
}

// push queues one item of c's answer, waiting while the output buffer is
// full. It reports false when the answer was cut off or the stream closed.
func (s *Stream) push(ctx context.Context, c *call, item fullduplex.StreamItem) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.call == c && len(s.queue) >= s.cfg.OutputBuffer {
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
		}
		s.mu.Lock()
		if ctx.Err() != nil {
			return false
		}
	}
	if s.call != c {
		return false
	}
	switch it := item.(type) {
	case fullduplex.Symbol:
		md := make(map[string]any, len(it.Metadata)+2)
		maps.Copy(md, it.Metadata)
		md[fullduplex.MetaRole] = fullduplex.RoleModel
		md[fullduplex.MetaTurn] = c.turn
		it.Metadata = md
		if it.Timestamp.IsZero() {
			it.Timestamp = s.cfg.Now()
		}
		item = it
	case fullduplex.StreamEvent:
		if it.Timestamp.IsZero() {
			it.Timestamp = s.cfg.Now()
		}
		item = it
	}
	s.enqueueLocked(item, c.turn)
	return true
}

// reportBad queues an EventError for an item the model got wrong; it
// reports false when the answer was cut off.
func (s *Stream) reportBad(c *call, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.call != c {
		return false
	}
	s.errorLocked(fmt.Errorf("%w: turn %d: %w", ErrModel, c.turn, err), c.turn)
	return true
}

// finish ends c's answer: an EventError for a failure or an empty answer,
// then EventStreamEnd. A call that failed or answered nothing before it
// produced a single symbol takes its user turn out of the history with it,
// so that the next input is a turn of its own and an input the server
// rejected is not sent again.
func (s *Stream) finish(c *call, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.call != c {
		return // cut off: the model's error, if any, is the cancellation
	}
	end := fullduplex.TurnEnd{Turn: c.turn}
	switch {
	case err != nil:
		s.errorLocked(fmt.Errorf("%w: turn %d: %w", ErrModel, c.turn, err), c.turn)
		end.Reason = reasonError
	case n == 0:
		s.errorLocked(fmt.Errorf("%w (turn %d)", ErrEmptyAnswer, c.turn), c.turn)
		end.Reason = reasonError
	}
	if n == 0 {
		s.hist.dropTrailing(fullduplex.RoleUser)
	}
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventStreamEnd, Data: end, Timestamp: s.cfg.Now()}, c.turn)
}
