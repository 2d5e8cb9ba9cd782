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

// triggerLocked completes the user's turn: when there is user input the
// model has not answered, it cuts off the answer in progress and starts
// the next model call at once.
func (s *Stream) triggerLocked() {
	if !s.userNew || s.closed {
		return
	}
	s.interruptLocked()
	s.userNew = false
	s.hist.cut(s.cfg.Now(), s.cfg.Window, s.cfg.MaxTurns)
	if s.cfg.MaxImages > 0 {
		s.hist.limitImages(s.cfg.MaxImages)
		s.hist.cut(s.cfg.Now(), s.cfg.Window, 0) // the prompt still starts with the user
	}
	if s.hist.lastRole() != fullduplex.RoleUser {
		s.errorLocked(errNothingToAnswer, 0)
		return
	}
	s.startLocked(s.hist.prompt())
}

// startLocked starts a model call on prompt, on a goroutine Close waits for.
func (s *Stream) startLocked(prompt []Turn) {
	s.turns++
	ctx, cancel := context.WithCancel(s.base)
	c := &call{turn: s.turns, cancel: cancel}
	s.call = c
	s.wg.Add(1)
	go s.run(ctx, c, prompt)
}

// interruptLocked cuts off the answer in progress, if any: it cancels the
// model call, drops the answer's output that Receive has not returned,
// queues EventInterrupt and adds the input held aside. What Receive
// returned is in the history already.
func (s *Stream) interruptLocked() {
	c := s.call
	if c == nil {
		return
	}
	c.cancel()
	s.call = nil
	kept := s.queue[:0]
	for _, q := range s.queue {
		if q.turn != c.turn {
			kept = append(kept, q)
		}
	}
	clear(s.queue[len(kept):])
	s.queue = kept
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventInterrupt, Timestamp: s.cfg.Now()}, 0)
	s.applyHeldLocked()
}

// run is one model call: it queues the answer for Receive, then an
// EventError for a failed or empty answer, then EventStreamEnd.
func (s *Stream) run(ctx context.Context, c *call, prompt []Turn) {
	defer s.wg.Done()
	defer c.cancel()
	n := 0
	var err error
	for sym, e := range s.model.Generate(ctx, prompt) {
		if e != nil {
			err = e
			break
		}
		if verr := sym.Validate(); verr != nil {
			if !s.reportBad(c, verr) {
				return
			}
			continue
		}
		if !s.push(ctx, c, sym) {
			return
		}
		n++
	}
	s.finish(c, n, err)
}

// push queues one symbol of c's answer, waiting while the output buffer is
// full. It reports false when the answer was cut off or the stream closed.
func (s *Stream) push(ctx context.Context, c *call, sym fullduplex.Symbol) bool {
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
	md := make(map[string]any, len(sym.Metadata)+2)
	maps.Copy(md, sym.Metadata)
	md[fullduplex.MetaRole] = fullduplex.RoleModel
	md[fullduplex.MetaTurn] = c.turn
	sym.Metadata = md
	if sym.Timestamp.IsZero() {
		sym.Timestamp = s.cfg.Now()
	}
	s.enqueueLocked(sym, c.turn)
	return true
}

// reportBad queues an EventError for a symbol the model got wrong; it
// reports false when the answer was cut off.
func (s *Stream) reportBad(c *call, err error) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.call != c {
		return false
	}
	s.errorLocked(fmt.Errorf("%w: turn %d: the model produced a bad symbol: %w", ErrModel, c.turn, err), c.turn)
	return true
}

// finish ends c's answer: an EventError for a failure or an empty answer,
// then EventStreamEnd.
func (s *Stream) finish(c *call, n int, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.call != c {
		return // cut off: the model's error, if any, is the cancellation
	}
	switch {
	case err != nil:
		s.errorLocked(fmt.Errorf("%w: turn %d: %w", ErrModel, c.turn, err), c.turn)
	case n == 0:
		s.errorLocked(fmt.Errorf("%w (turn %d)", ErrEmptyAnswer, c.turn), c.turn)
	}
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventStreamEnd, Timestamp: s.cfg.Now()}, c.turn)
}
