package realtime

import (
	"context"
	"io"

	"github.com/fullduplex-go/fullduplex"
)

// Receive returns the next Symbol or StreamEvent: EventConnected first,
// then the model turns, each following the turn grammar of
// fullduplex.DuplexStream: the answer's symbols (MetaRole "model", MetaTurn
// the answer's number, counting from 1), its EventMetadata and EventUsage
// if the model reports them, an EventError if the call failed or answered
// nothing, and exactly one terminator, EventStreamEnd or EventInterrupt,
// whose Data is a fullduplex.TurnEnd (Reason "error" for a failed call).
// The stream goes on after a failed call.
//
// Only what Receive returns enters the history: a symbol of an answer
// counts as said once Receive returns it; of an answer cut off, only what
// the listener heard stays, when a PlaybackReporter says (UsePlayback). Receive returns io.EOF only after
// CloseSend, once the last answer has been returned, and
// fullduplex.ErrClosed after Close; otherwise it waits for the next item or
// for ctx.
func (s *Stream) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for {
		if err := s.usableLocked(); err != nil {
			return nil, err
		}
		if len(s.queue) > 0 {
			q := s.queue[0]
			s.queue[0] = queued{}
			s.queue = s.queue[1:]
			s.deliveredLocked(q)
			s.broadcastLocked()
			return q.item, nil
		}
		if s.inputClosed && s.call == nil {
			return nil, io.EOF
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
			s.mu.Lock()
		case <-ctx.Done():
			s.mu.Lock()
			return nil, ctx.Err()
		}
	}
}

// deliveredLocked records that q reached the application: a symbol of the
// answer in progress enters the history, and its EventStreamEnd ends it.
func (s *Stream) deliveredLocked(q queued) {
	if s.call == nil || q.turn != s.call.turn {
		return
	}
	switch it := q.item.(type) {
	case fullduplex.Symbol:
		s.hist.add(fullduplex.RoleModel, it, s.cfg.Now())
		s.call.said = true
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd {
			s.endCallLocked()
		}
	}
}
