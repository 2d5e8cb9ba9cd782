package attention

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// DefaultContext is CompositeConfig.Context's default: the transcript as
// "user:" and "assistant:" lines between a sentence that says where it
// comes from and one that says what to do next.
func DefaultContext(history []Line, owed bool) string {
	var b strings.Builder
	b.WriteString("You are taking over a conversation from another assistant. The transcript so far:\n")
	for _, l := range history {
		who := "user"
		if l.Role != fullduplex.RoleUser {
			who = "assistant"
		}
		b.WriteString(who)
		b.WriteString(": ")
		b.WriteString(l.Text)
		b.WriteByte('\n')
	}
	if owed {
		b.WriteString("Go on from here: answer the user's last message.")
	} else {
		b.WriteString("Go on from here: say only \"OK\" now, then answer the user's next message.")
	}
	return b.String()
}

// noteLocked adds the text in it to the transcript.
func (c *CompositeStream) noteLocked(it fullduplex.StreamItem) {
	sym, ok := it.(fullduplex.Symbol)
	if !ok {
		return
	}
	text, ok := sym.TextValue()
	if !ok || text == "" {
		return
	}
	role := fullduplex.RoleModel
	if sym.Role() == fullduplex.RoleUser {
		role = fullduplex.RoleUser
	}
	c.addLineLocked(role, text, true)
}

// addLineLocked adds text to the transcript, to the last line when it has
// the same role and merge is set (fragments of one answer or transcript).
func (c *CompositeStream) addLineLocked(role, text string, merge bool) {
	r := &c.recv
	if n := len(r.history); merge && n > 0 && r.history[n-1].Role == role {
		r.history[n-1].Text += text
	} else {
		r.history = append(r.history, Line{Role: role, Text: text})
	}
	r.histBytes += len(text)
	for len(r.history) > 1 && r.histBytes > c.cfg.MaxHistory {
		r.histBytes -= len(r.history[0].Text)
		r.history[0] = Line{}
		r.history = r.history[1:]
	}
	if n := len(r.history); n == 1 && r.histBytes > c.cfg.MaxHistory {
		t := r.history[0].Text
		r.history[0].Text = t[len(t)-c.cfg.MaxHistory:]
		r.histBytes = c.cfg.MaxHistory
	}
}

// escalateLocked hands the floor to the escalation target when the test
// fires on an item the primary passed on, and returns the action that tells
// the members.
func (c *CompositeStream) escalateLocked(m *member, it fullduplex.StreamItem) func() {
	e := c.cfg.Escalation
	r := &c.recv
	if e.To == "" || r.escalated > 0 || m != c.members[0] || !e.When(it) {
		return nil
	}
	to := c.memberLocked(e.To)
	if to == nil {
		return nil
	}
	cutting := m.inTurn && m.visible
	c.cutLocked(m)
	r.escalated = e.Turns
	r.switched(Switch{From: m.name, To: to.name, Reason: SwitchEscalate})
	seed := fullduplex.TextSymbol(c.cfg.Context(append([]Line(nil), r.history...), true))
	to.dirty = true
	ctx := c.ctx
	return func() {
		if oi, ok := m.s.(fullduplex.OutputInterrupter); ok && cutting {
			_ = oi.InterruptOutput(ctx)
		}
		if err := to.s.Send(ctx, seed); err != nil && ctx.Err() == nil {
			c.mu.Lock()
			c.recv.push(fullduplex.NewEvent(fullduplex.EventError, err))
			c.mu.Unlock()
			c.signal()
		}
	}
}

// drainLocked moves what old's reader queued to the stream's own items
// until the reader has ended, Drain has passed or the stream is closed;
// c.mu is held, and released while it waits.
func (c *CompositeStream) drainLocked(old *member) {
	var timeout <-chan time.Time
	for {
		c.drainQueuedLocked(old)
		signalRoom(old.room)
		if old.done || c.closed {
			return
		}
		if timeout == nil {
			t := time.NewTimer(c.cfg.Drain)
			defer t.Stop()
			timeout = t.C
		}
		c.mu.Unlock()
		select {
		case <-old.moved:
		case <-timeout:
			c.mu.Lock()
			c.drainQueuedLocked(old)
			return
		case <-c.closedCh:
		}
		c.mu.Lock()
	}
}

// drainQueuedLocked moves what old's reader queued to the stream's items.
func (c *CompositeStream) drainQueuedLocked(old *member) {
	for old.q.len() > 0 {
		it, _ := old.q.pop()
		if it, _ := c.routeLocked(old, it); it != nil {
			c.recv.push(it)
		}
	}
}

// failover replaces the failed primary old with the next standby that
// connects, carrying the transcript over; with none left, err ends the
// stream.
func (c *CompositeStream) failover(old *member, err error) {
	c.mu.Lock()
	if c.switching != nil || len(c.members) == 0 || c.members[0] != old || c.closed {
		c.mu.Unlock()
		return
	}
	done := make(chan struct{})
	c.switching = done
	r := &c.recv
	// What old received before it failed is passed on first: a failover
	// from Send may come before Receive has taken it all, or before old's
	// Receive has returned it, so old is read until its Receive ends (or
	// Drain).
	c.drainLocked(old)
	owed := old.inTurn && old.visible || r.inputTurns > r.answers
	c.cutLocked(old)
	old.inTurn = false
	history := append([]Line(nil), r.history...)
	closedSend := r.closedSend
	ctx := c.ctx
	c.mu.Unlock()
	_ = old.s.Close()

	from := old.name
	var next Member
	var switches []Switch
	for {
		c.mu.Lock()
		if len(c.standby) == 0 || c.closed {
			c.finishSwitchLocked(done, switches)
			if !c.closed {
				c.fatal = fmt.Errorf("attention: no member left to fail over to: %w", err)
			}
			c.mu.Unlock()
			c.signal()
			return
		}
		next = c.standby[0]
		c.standby = c.standby[1:]
		c.mu.Unlock()
		switches = append(switches, Switch{From: from, To: next.Name, Reason: SwitchFailover, Err: err})
		if err = next.Stream.Connect(ctx); err == nil {
			break
		}
		_ = next.Stream.Close()
		from = next.Name
	}
	swallow := 0
	if len(history) > 0 || owed {
		if !owed {
			swallow = 1
		}
		if serr := next.Stream.Send(ctx, fullduplex.TextSymbol(c.cfg.Context(history, owed))); serr != nil {
			swallow = 0 // it will fail again on the next input, or end
		}
	}
	if closedSend {
		closeSend(ctx, next.Stream)
	}
	c.mu.Lock()
	defer c.signal()
	defer c.mu.Unlock()
	nm := newMember(next)
	nm.swallow = swallow
	c.members[0] = nm
	r.inputTurns, r.answers = 0, 0
	c.finishSwitchLocked(done, switches)
	if c.closed {
		_ = next.Stream.Close()
		return
	}
	c.startReader(nm)
}

func (c *CompositeStream) finishSwitchLocked(done chan struct{}, switches []Switch) {
	for _, sw := range switches {
		c.recv.switched(sw)
	}
	c.switching = nil
	close(done)
}

// closeSend ends s's input for good.
func closeSend(ctx context.Context, s fullduplex.DuplexStream) error {
	if sc, ok := s.(fullduplex.SendCloser); ok {
		return sc.CloseSend(ctx)
	}
	return s.SendEnd(ctx)
}
