package attention

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
)

// recvState is the CompositeStream's view of the conversation; guarded by
// the stream's mu.
type recvState struct {
	out        itemQueue // the stream's own items, returned before the members'
	current    *member   // whose passed-on turn is in progress; nil between turns
	turn       int       // number of the last turn passed on
	inputTurns int       // input turns since the primary took over
	answers    int       // turns passed on since then
	escalated  int       // answers the escalation target still gives; 0: the primary has the floor
	closedSend bool      // CloseSend was called
	calls      map[string]*member
	history    []Line
	histBytes  int
}

func (r *recvState) init() { *r = recvState{calls: map[string]*member{}} }

func (r *recvState) push(it fullduplex.StreamItem) { r.out.push(it) }

func (r *recvState) switched(sw Switch) {
	t := fullduplex.EventMetadata
	if sw.Reason == SwitchFailover {
		t = fullduplex.EventReconnect
	}
	r.push(fullduplex.NewEvent(t, sw))
}

// Receive returns the next item of the conversation: one model turn at a
// time, from the member that has the floor, with the stream's own events
// (Switch) between. It returns io.EOF once every member has ended cleanly,
// ErrClosed after Close, and the error of a member that failed for good.
func (c *CompositeStream) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	for {
		c.mu.Lock()
		if err := c.usableLocked(); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		item, then, err := c.nextLocked()
		more := c.recv.out.len() > 0
		c.mu.Unlock()
		if more {
			c.signal() // another receiver may be waiting
		}
		if then != nil {
			then()
		}
		if item != nil || err != nil {
			return item, err
		}
		if then != nil {
			continue
		}
		select {
		case <-c.ready:
		case <-c.closedCh:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// nextLocked returns the next item to pass on, or an action to run outside
// the lock (a failover), or an error, or nothing yet.
func (c *CompositeStream) nextLocked() (fullduplex.StreamItem, func(), error) {
	for {
		if it, ok := c.recv.out.pop(); ok {
			return it, nil, nil
		}
		if c.fatal != nil {
			return nil, nil, c.fatal
		}
		if c.switching != nil {
			return nil, nil, nil
		}
		ended := 0
		for _, m := range c.members {
			if !m.done || m.q.len() > 0 {
				continue
			}
			if m.handled {
				ended++
				continue
			}
			m.handled = true
			switch {
			case errors.Is(m.err, io.EOF):
				c.cutLocked(m)
				ended++
			case m == c.members[0] && len(c.standby) > 0:
				old := m
				return nil, func() { c.failover(old, old.err) }, nil
			default:
				c.cutLocked(m)
				c.fatal = fmt.Errorf("attention: member %s: %w", m.name, m.err)
			}
		}
		if c.recv.out.len() > 0 || c.fatal != nil {
			continue
		}
		m := c.recv.current
		if m == nil {
			for _, have := range c.members {
				if have.q.len() > 0 {
					m = have
					break
				}
			}
		}
		if m == nil || m.q.len() == 0 {
			if ended == len(c.members) {
				return nil, nil, io.EOF
			}
			return nil, nil, nil
		}
		it, _ := m.q.pop()
		if m.q.len() == memberQueue/2 {
			signalRoom(m.room) // the reader refills once half of its queue is taken
		}
		if it, then := c.routeLocked(m, it); it != nil {
			return it, then, nil
		}
	}
}

// startsTurn reports whether it belongs to a model turn.
func startsTurn(it fullduplex.StreamItem) bool {
	switch v := it.(type) {
	case fullduplex.Symbol:
		return v.Role() != fullduplex.RoleUser
	case fullduplex.StreamEvent:
		return v.Type == fullduplex.EventToolCall || v.Type == fullduplex.EventUsage || isTerminator(v)
	}
	return false
}

func isTerminator(ev fullduplex.StreamEvent) bool {
	return ev.Type == fullduplex.EventStreamEnd || ev.Type == fullduplex.EventInterrupt
}

// routeLocked decides what becomes of item it of member m: passed on
// (renumbered), or swallowed (nil).
func (c *CompositeStream) routeLocked(m *member, it fullduplex.StreamItem) (fullduplex.StreamItem, func()) {
	r := &c.recv
	ev, isEv := it.(fullduplex.StreamEvent)
	term := isEv && isTerminator(ev)
	if !m.inTurn && startsTurn(it) {
		m.inTurn, m.numbered = true, false
		m.visible = c.passesLocked(m)
		m.counted = !m.visible && m.swallow > 0
		if m.visible {
			r.current, m.turn = m, r.turn+1
		}
	}
	if m.inTurn {
		if term {
			m.inTurn = false
			if !m.visible {
				if m.counted {
					m.swallow--
				}
				return nil, nil
			}
			r.current, r.turn = nil, m.turn
			r.answers++
			if r.escalated > 0 && m.name == c.cfg.Escalation.To {
				if r.escalated--; r.escalated == 0 {
					r.switched(Switch{From: m.name, To: c.members[0].name, Reason: SwitchReturn})
				}
			}
			if d, ok := ev.Data.(fullduplex.TurnEnd); ok && d.Turn != 0 {
				c.mapTurnLocked(m, d.Turn)
			}
			return withTurnEnd(ev, m.turn), nil
		}
		if !m.visible {
			return nil, nil
		}
		it = c.renumberLocked(m, it)
		if isEv && ev.Type == fullduplex.EventToolCall {
			if call, ok := ev.Data.(fullduplex.ToolCall); ok && len(r.calls) < 4096 {
				r.calls[call.ID] = m
			}
		}
	} else if sym, ok := it.(fullduplex.Symbol); ok && sym.Role() == fullduplex.RoleUser && m != c.inputMemberLocked() {
		return nil, nil // another member's transcript of the same speech
	}
	c.noteLocked(it)
	return it, c.escalateLocked(m, it)
}

// withTurnEnd returns terminator ev with its TurnEnd numbered turn.
func withTurnEnd(ev fullduplex.StreamEvent, turn int) fullduplex.StreamEvent {
	switch d := ev.Data.(type) {
	case nil:
		ev.Data = fullduplex.TurnEnd{Turn: turn}
	case fullduplex.TurnEnd:
		d.Turn = turn
		ev.Data = d
	}
	return ev
}

// renumberLocked gives a symbol of m's turn the stream's turn number: the
// member's own while it grows, so a single member's symbols pass unchanged.
func (c *CompositeStream) renumberLocked(m *member, it fullduplex.StreamItem) fullduplex.StreamItem {
	sym, ok := it.(fullduplex.Symbol)
	if !ok {
		return it
	}
	n, ok := sym.Turn()
	if !ok {
		return it
	}
	if !m.numbered {
		m.numbered = true
		if n > c.recv.turn {
			m.turn = n
		}
	}
	c.mapTurnLocked(m, n)
	if n != m.turn {
		return sym.WithMeta(fullduplex.MetaTurn, m.turn)
	}
	return it
}

// cutLocked ends m's passed-on turn, if one is in progress, with an
// EventInterrupt of the stream's own; the rest of the member's turn is
// swallowed.
func (c *CompositeStream) cutLocked(m *member) {
	if !m.inTurn || !m.visible {
		return
	}
	m.visible = false
	r := &c.recv
	r.current, r.turn = nil, m.turn
	r.answers++
	r.push(fullduplex.NewEvent(fullduplex.EventInterrupt, fullduplex.TurnEnd{Turn: m.turn}))
}

// passesLocked reports whether a turn m starts now is passed on: not one
// owed to a context nobody asked about, and not the primary's while the
// escalation target has the floor, nor the target's while it has not.
func (c *CompositeStream) passesLocked(m *member) bool {
	if m.swallow > 0 {
		return false
	}
	if to := c.cfg.Escalation.To; to != "" {
		if c.recv.escalated > 0 {
			return m != c.members[0]
		}
		return m.name != to
	}
	return true
}

// floorLocked returns the member with the floor: the escalation target
// while escalated, else the primary.
func (c *CompositeStream) floorLocked() *member {
	if c.recv.escalated > 0 {
		if m := c.memberLocked(c.cfg.Escalation.To); m != nil {
			return m
		}
	}
	return c.members[0]
}

// inputMemberLocked returns the member that gets the audio.
func (c *CompositeStream) inputMemberLocked() *member {
	if name, ok := c.cfg.Route[fullduplex.ModalityAudio]; ok {
		if m := c.memberLocked(name); m != nil {
			return m
		}
	}
	return c.members[0]
}

// mapTurnLocked notes that m's turn n is the stream's turn m.turn, for m's
// PlaybackReporter.
func (c *CompositeStream) mapTurnLocked(m *member, n int) {
	if m.mapped != [2]int{n, m.turn} {
		m.mapped = [2]int{n, m.turn}
		c.played.set(m.name, n, m.turn)
	}
}
