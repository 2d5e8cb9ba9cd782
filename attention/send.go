package attention

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/fullduplex-go/fullduplex"
)

// Send sends s to the member Route names for its modality (the primary by
// default), and to the escalation target too while it has the floor; a
// transcript does not go to a member that Hears. When the primary fails,
// Send fails over and sends s to the standby that takes its place.
func (c *CompositeStream) Send(ctx context.Context, s fullduplex.Symbol) error {
	noted := false
	for {
		transcript, _ := s.Metadata[fullduplex.MetaTranscript].(bool)
		targets, err := c.targets(ctx, s, s.Modality == fullduplex.ModalityText && !noted)
		if err != nil {
			return err
		}
		if !noted && s.Modality == fullduplex.ModalityText {
			noted = true
			c.mu.Lock()
			text, _ := s.TextValue()
			c.addLineLocked(fullduplex.RoleUser, text, false)
			c.recv.inputTurns++
			c.mu.Unlock()
		}
		retry := false
		for _, m := range targets {
			if transcript && m.hears {
				continue
			}
			err := m.s.Send(ctx, s)
			if err == nil || errors.Is(err, fullduplex.ErrInvalidSymbol) || ctx.Err() != nil {
				if err != nil {
					return err
				}
				continue
			}
			if !c.failing(m) {
				return fmt.Errorf("attention: send to %s: %w", m.name, err)
			}
			if noted {
				// s is sent again after the failover: it is not a turn
				// the standby owes an answer to from the transcript.
				c.unnote(s)
				noted = false
			}
			c.failover(m, err)
			retry = true
			break
		}
		if !retry {
			return nil
		}
	}
}

// unnote takes text Symbol s, just noted by Send, back out of the
// transcript, if nothing came after it.
func (c *CompositeStream) unnote(s fullduplex.Symbol) {
	c.mu.Lock()
	defer c.mu.Unlock()
	r := &c.recv
	text, _ := s.TextValue()
	if n := len(r.history); n > 0 && r.history[n-1] == (Line{Role: fullduplex.RoleUser, Text: text}) {
		r.history[n-1] = Line{}
		r.history = r.history[:n-1]
		r.histBytes -= len(text)
	}
	r.inputTurns--
}

// failing reports whether a failure of m is one Failover handles.
func (c *CompositeStream) failing(m *member) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return !c.closed && len(c.members) > 0 && c.members[0] == m && len(c.standby) > 0
}

// targets returns the members input s goes to, marking them
// as having input; it waits while a failover is under way. A turn (a text,
// or SendEnd) sent while the escalation target has the floor extends its
// floor by one answer, and the primary's answer to it will not be passed
// on.
func (c *CompositeStream) targets(ctx context.Context, s fullduplex.Symbol, turn bool) ([]*member, error) {
	routed := ""
	if c.cfg.RouteFunc != nil {
		routed = c.cfg.RouteFunc(s)
	}
	for {
		c.mu.Lock()
		if err := c.usableLocked(); err != nil {
			c.mu.Unlock()
			return nil, err
		}
		if ch := c.switching; ch != nil {
			c.mu.Unlock()
			select {
			case <-ch:
				continue
			case <-c.closedCh:
				return nil, fullduplex.ErrClosed
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		defer c.mu.Unlock()
		if c.fatal != nil {
			return nil, c.fatal
		}
		m := c.members[0]
		if name, ok := c.cfg.Route[s.Modality]; ok {
			if rm := c.memberLocked(name); rm != nil {
				m = rm
			}
		}
		if rm := c.memberLocked(routed); routed != "" && rm != nil {
			m = rm
		}
		ts := []*member{m}
		if f := c.floorLocked(); f != m && m == c.members[0] {
			ts = append(ts, f)
			if turn {
				c.recv.escalated++
				m.swallow++
			}
		}
		for _, t := range ts {
			t.dirty = true
		}
		return ts, nil
	}
}

// SendEnd ends the current input turn on every member that got input since
// its last end (the primary when none did).
func (c *CompositeStream) SendEnd(ctx context.Context) error {
	c.mu.Lock()
	if err := c.usableLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	var ts []*member
	for _, m := range c.members {
		if m.dirty {
			ts = append(ts, m)
			m.dirty = false
		}
	}
	if len(ts) == 0 {
		ts = append(ts, c.members[0])
	}
	if f := c.floorLocked(); f != c.members[0] && slices.Contains(ts, f) {
		c.recv.escalated++
		c.members[0].swallow++
	}
	c.recv.inputTurns++
	c.mu.Unlock()
	var errs []error
	for _, m := range ts {
		if err := m.s.SendEnd(ctx); err != nil {
			errs = append(errs, fmt.Errorf("attention: send end to %s: %w", m.name, err))
		}
	}
	return errors.Join(errs...)
}

// CloseSend ends the input for good on every member (CloseSend, or SendEnd
// on one that is not a SendCloser), and on a standby that takes over later;
// Receive returns io.EOF once every member has ended.
func (c *CompositeStream) CloseSend(ctx context.Context) error {
	c.mu.Lock()
	if err := c.usableLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	if c.recv.closedSend {
		c.mu.Unlock()
		return nil
	}
	c.recv.closedSend = true
	ms := append([]*member(nil), c.members...)
	c.mu.Unlock()
	var errs []error
	for _, m := range ms {
		if err := closeSend(ctx, m.s); err != nil {
			errs = append(errs, fmt.Errorf("attention: close send of %s: %w", m.name, err))
		}
	}
	return errors.Join(errs...)
}

// InterruptOutput tells the member whose answer is in progress (the one
// with the floor between answers) to stop, when it is an
// OutputInterrupter.
func (c *CompositeStream) InterruptOutput(ctx context.Context) error {
	c.mu.Lock()
	if err := c.usableLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	m := c.recv.current
	if m == nil {
		m = c.floorLocked()
	}
	c.mu.Unlock()
	if oi, ok := m.s.(fullduplex.OutputInterrupter); ok {
		return oi.InterruptOutput(ctx)
	}
	return nil
}

// DeclareTools declares tools to every member and standby that is a
// ToolDeclarer.
func (c *CompositeStream) DeclareTools(tools []fullduplex.Tool) error {
	var errs []error
	for _, m := range append(append([]Member(nil), c.cfg.Members...), c.cfg.Failover...) {
		if d, ok := m.Stream.(fullduplex.ToolDeclarer); ok {
			if err := d.DeclareTools(tools); err != nil {
				errs = append(errs, fmt.Errorf("attention: declare tools to %s: %w", m.Name, err))
			}
		}
	}
	return errors.Join(errs...)
}

// SendToolResult sends r to the member that made the call (the one with
// the floor when the call is unknown).
func (c *CompositeStream) SendToolResult(ctx context.Context, r fullduplex.ToolResult) error {
	c.mu.Lock()
	if err := c.usableLocked(); err != nil {
		c.mu.Unlock()
		return err
	}
	m, ok := c.recv.calls[r.ID]
	delete(c.recv.calls, r.ID)
	if !ok {
		m = c.floorLocked()
	}
	c.mu.Unlock()
	tr, ok := m.s.(fullduplex.ToolResponder)
	if !ok {
		return fmt.Errorf("attention: member %s (%T) cannot take tool results", m.name, m.s)
	}
	return tr.SendToolResult(ctx, r)
}

// UsePlayback hands every member and standby that is a PlaybackUser a
// PlaybackReporter of its own over p, which speaks its turn numbers: a
// member asking about its turn n is told what p says of the stream's turn
// that n became (0 for a turn of the member that was not passed on, which
// nobody heard). nil hands them nil.
func (c *CompositeStream) UsePlayback(p fullduplex.PlaybackReporter) {
	for _, m := range append(append([]Member(nil), c.cfg.Members...), c.cfg.Failover...) {
		if u, ok := m.Stream.(fullduplex.PlaybackUser); ok {
			if p == nil {
				u.UsePlayback(nil)
				continue
			}
			u.UsePlayback(&memberPlayback{c: c, name: m.Name, p: p})
		}
	}
}
