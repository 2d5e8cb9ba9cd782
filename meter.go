package fullduplex

import (
	"context"
	"maps"
	"sync"
	"time"
)

// maxInputs bounds the input ends a meter keeps waiting for their answers;
// maxPending the tool calls and reconnects it keeps for the next
// TurnMetrics (the oldest go first; the totals count them all).
const (
	maxInputs  = 64
	maxPending = 256
)

// playTolerance is how far short of a turn's delivered audio the played
// position may stop and still count as played out (a device plays whole
// resampled frames).
const playTolerance = 20 * time.Millisecond

// A meter measures the turns of one RunDuplex call for
// DuplexSession.Metrics.
//
// cur and the fields after it are owned by the delivering goroutine: read
// and written only in outlet.deliver, under the outlet's mu, so the
// per-symbol path takes no lock of its own. audioOpen is owned by the send path (the
// session's sendMu). Everything else is guarded by mu, which is never held
// while anything is delivered; emitMu keeps emissions in order.
type meter struct {
	audioOpen bool // audio sent since the last input end; owned by sendMu

	clock    func() time.Time
	prices   Prices
	reporter PlaybackReporter // the receiver's, or nil
	poll     time.Duration
	wake     chan struct{} // cap 1: a cut made settling turns ready

	cur        turnState // owned by the delivering goroutine
	audioBytes int       // bytes of model audio of cur delivered; same owner
	// steady is true once cur's first audio (and, with a reporter, its
	// first played audio) is known and no reconnect waits for its first
	// item: more audio only adds up. Same owner.
	steady bool
	// serverEnd is the backend's latest report of the end of the user's
	// turn since the last turn began; bySpeech is true when it came from an
	// InputEnder (preferred to a transcript). Same owner.
	serverEnd time.Time
	bySpeech  bool
	// rc is the last EventReconnect, waiting for the first model item of
	// the new connection while reconnecting is true. Same owner.
	rc           ReconnectMetrics
	reconnecting bool
	_            [64]byte // keeps the fields above, written per symbol, off the lines of the others

	mu         sync.Mutex
	inputs     []time.Time // input ends not matched to a turn yet, oldest first
	pendingCut BargeIn     // a client cut of the turn being received
	receiving  bool        // a model turn has begun and not ended
	tools      []ToolMetrics
	reconnects []ReconnectMetrics
	settling   []settlingTurn // ended, their audio still playing
	ready      []TurnMetrics  // to emit, in order
	total      ConversationMetrics
	turns      int

	emitMu sync.Mutex
}

// turnState is what the delivering goroutine gathers of the turn it receives.
type turnState struct {
	m                            TurnMetrics
	begun                        bool // matched to its input (first model item)
	haveFirst, haveAudio, played bool
	backendTurn                  int // the turn of its audio, for PlaybackReporter
	rate, channels               int
	cut                          BargeIn // the stream's EventInterrupt
	reconnectCut                 bool    // ended by an EventInterrupt of ReasonReconnect
}

type settlingTurn struct {
	m           TurnMetrics
	backendTurn int
}

func newMeter(cfg MetricsConfig, receiver Sink) *meter {
	m := &meter{clock: cfg.Clock, prices: cfg.Prices, poll: cfg.PlaybackPoll, reporter: playbackOf(receiver), wake: make(chan struct{}, 1)}
	if m.clock == nil {
		m.clock = stamp
	}
	if m.poll <= 0 {
		m.poll = 10 * time.Millisecond
	}
	m.total.Start = m.clock()
	return m
}

// ---- the send path (under the session's sendMu) ----

// sending notes a symbol about to be sent and reports whether it ends an
// input turn (text does).
func (m *meter) sending(s Symbol) bool {
	switch s.Modality {
	case ModalityAudio:
		m.audioOpen = true
	case ModalityText:
		m.inputEnded(s.Timestamp)
		return true
	}
	return false
}

// unsent takes back the input end of a text symbol the stream refused.
func (m *meter) unsent(at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if n := len(m.inputs); n > 0 && m.inputs[n-1].Equal(at) {
		m.inputs = m.inputs[:n-1]
	}
}

// endAudio notes SendEnd or CloseSend: it ends the audio input, if any.
func (m *meter) endAudio() {
	if m.audioOpen {
		m.audioOpen = false
		m.inputEnded(m.clock())
	}
}

func (m *meter) inputEnded(at time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.inputs) == maxInputs {
		m.inputs = append(m.inputs[:0], m.inputs[1:]...)
	}
	m.inputs = append(m.inputs, at)
}

// ---- the receive path (the delivering goroutine, outlet.mu held) ----

// symbolLocked notes a symbol delivered, audio or not; boundaries is the outlet's count
// of terminators, the turn of audio without MetaTurn.
// Once the turn's first audio is known it is inlined: two comparisons and
// an addition.
func (m *meter) symbolLocked(s *Symbol, audio bool, boundaries int) {
	if m.steady && audio {
		m.audioBytes += len(s.Data)
	} else {
		m.firstOfKindLocked(s, boundaries)
	}
}

// firstOfKindLocked is symbolLocked until the turn's first symbol, first
// audio and (with a PlaybackReporter) first played audio are known.
func (m *meter) firstOfKindLocked(s *Symbol, boundaries int) {
	t := &m.cur
	if s.Modality == ModalityAudio {
		if m.reconnecting {
			m.reconnectedLocked(s.Timestamp)
		}
		m.audioBytes += len(s.Data)
		if !t.haveAudio {
			t.haveAudio, t.backendTurn = true, turnOf(s.Metadata, boundaries)
			t.m.FirstAudio = s.Timestamp
			t.rate, t.channels = s.SampleRate(), s.Channels()
			m.firstLocked(s.Timestamp)
		}
		if !t.played && m.reporter != nil {
			m.pollOpenLocked()
		}
		m.steady = t.played || m.reporter == nil
		return
	}
	if s.Role() == RoleUser {
		m.userTextLocked(s)
		return
	}
	if m.reconnecting {
		m.reconnectedLocked(s.Timestamp)
	}
	if t.haveFirst {
		return
	}
	m.firstLocked(s.Timestamp)
}

// userTextLocked notes a user transcript: a final one received while no
// model turn is under way reports the end of the user's turn, unless an
// InputEnder has.
func (m *meter) userTextLocked(s *Symbol) {
	if final, _ := s.Metadata[MetaFinal].(bool); final && !m.cur.begun && !m.bySpeech {
		m.serverEnd = s.Timestamp
	}
}

func (m *meter) firstLocked(at time.Time) {
	if t := &m.cur; !t.haveFirst {
		t.haveFirst, t.m.FirstSymbol = true, at
		m.beginLocked()
	}
}

// beginLocked matches the turn to the oldest input end still unanswered,
// else to the backend's report of the end of the user's turn.
func (m *meter) beginLocked() {
	t := &m.cur
	if t.begun {
		return
	}
	t.begun = true
	m.mu.Lock()
	m.receiving = true
	if len(m.inputs) > 0 {
		t.m.InputEnd = m.inputs[0]
		m.inputs = append(m.inputs[:0], m.inputs[1:]...)
	} else if !m.serverEnd.IsZero() {
		t.m.InputEnd, t.m.ServerInputEnd = m.serverEnd, true
	}
	m.mu.Unlock()
	m.serverEnd, m.bySpeech = time.Time{}, false
}

// pollOpenLocked asks the receiver whether the turn being received has
// begun to play.
func (m *meter) pollOpenLocked() {
	t := &m.cur
	if p := m.reporter.Played(t.backendTurn); p > 0 {
		t.played, t.m.FirstPlayed = true, m.clock().Add(-p)
	}
}

// eventLocked notes an event delivered. For EventInterrupt the outlet has
// just flushed the receiver.
func (m *meter) eventLocked(ev StreamEvent) {
	t := &m.cur
	switch ev.Type {
	case EventMetrics, EventSummary:
		return
	case EventMetadata:
		if e, ok := ev.Data.(InputEnder); ok {
			at := e.InputEnd()
			if at.IsZero() {
				at = ev.Timestamp // the stream could not tell: when the report came
			}
			m.serverEnd, m.bySpeech = at, true
		}
	case EventUsage:
		if u, ok := ev.Data.(Usage); ok {
			addUsage(&t.m.Usage, u)
		}
	case EventToolCall:
		m.reconnectedLocked(ev.Timestamp)
		m.beginLocked()
	case EventReconnect:
		m.reconnectLocked(ev)
	case EventInterrupt:
		m.reconnectedLocked(ev.Timestamp)
		silent := m.clock()
		if t.haveAudio && !t.played && m.reporter != nil {
			m.pollOpenLocked()
		}
		if te, ok := ev.Data.(TurnEnd); ok && te.Reason == ReasonReconnect {
			t.reconnectCut = true
		} else {
			t.cut = BargeIn{At: ev.Timestamp, Silent: silent}
		}
		m.endTurnLocked(ev.Timestamp, true)
	case EventStreamEnd:
		m.reconnectedLocked(ev.Timestamp)
		m.endTurnLocked(ev.Timestamp, false)
	}
}

// reconnectLocked notes an EventReconnect; its gap ends at the first model
// item after it (see reconnectedLocked).
func (m *meter) reconnectLocked(ev StreamEvent) {
	m.reconnectedLocked(time.Time{}) // an earlier one no item followed
	began := ev.Timestamp
	if r, ok := ev.Data.(ReconnectReport); ok {
		if b := r.ReconnectBegan(); !b.IsZero() && !b.After(began) {
			began = b
		}
	}
	m.rc, m.reconnecting, m.steady = ReconnectMetrics{At: ev.Timestamp, Began: began}, true, false
	m.mu.Lock()
	m.total.Reconnects++
	m.mu.Unlock()
}

// reconnectedLocked completes a reconnect waiting for its first item with
// first (zero: none came), if there is one.
func (m *meter) reconnectedLocked(first time.Time) {
	if !m.reconnecting {
		return
	}
	rc := m.rc
	m.rc, m.reconnecting = ReconnectMetrics{}, false
	if !first.IsZero() {
		rc.First, rc.Gap = first, first.Sub(rc.Began)
	}
	m.mu.Lock()
	m.reconnects = appendBounded(m.reconnects, rc)
	m.mu.Unlock()
}

// appendBounded appends v to s, dropping the oldest beyond maxPending.
func appendBounded[T any](s []T, v T) []T {
	if len(s) == maxPending {
		s = append(s[:0], s[1:]...)
	}
	return append(s, v)
}

// endTurnLocked closes the turn being received: it is ready at once unless
// its audio is still to play out on a PlaybackReporter.
func (m *meter) endTurnLocked(end time.Time, interrupted bool) {
	t, audioBytes := m.cur, m.audioBytes
	m.cur, m.audioBytes, m.steady = turnState{}, 0, false
	tm := t.m
	tm.End, tm.Interrupted, tm.ReconnectCut = end, interrupted, t.reconnectCut
	if t.rate > 0 && t.channels > 0 {
		tm.AudioOut = time.Duration(audioBytes/(2*t.channels)) * time.Second / time.Duration(t.rate)
	}
	if t.haveAudio && m.reporter != nil {
		tm.Played = m.reporter.Played(t.backendTurn)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.turns++
	tm.Turn = m.turns
	m.receiving = false
	if t.reconnectCut {
		m.total.ReconnectCuts++
	}
	tm.BargeIn = t.cut
	if pc := m.pendingCut; !pc.At.IsZero() {
		if tm.BargeIn.At.IsZero() || pc.At.Before(tm.BargeIn.At) {
			tm.BargeIn = pc
		}
		m.pendingCut = BargeIn{}
	}
	if !tm.BargeIn.At.IsZero() {
		m.total.BargeIns++
	}
	// An earlier turn still settling was queued before this one: it is as
	// done as it will be.
	now := m.clock()
	m.readySettlingLocked(now)
	if m.reporter == nil || !t.haveAudio || interrupted || !tm.BargeIn.At.IsZero() {
		tm.Done = end
		if tm.BargeIn.Silent.After(end) {
			tm.Done = tm.BargeIn.Silent
		}
		m.readyLocked(tm)
		return
	}
	m.settling = append(m.settling, settlingTurn{m: tm, backendTurn: t.backendTurn})
}

// ---- settling, cuts, tools (any goroutine) ----

// pollSettling marks the settling turns whose audio has played out ready,
// oldest first: later ones play after it.
func (m *meter) pollSettling() {
	m.mu.Lock()
	defer m.mu.Unlock()
	for len(m.settling) > 0 {
		s := &m.settling[0]
		p := m.reporter.Played(s.backendTurn)
		now := m.clock() // read after Played: what p says had played by now
		m.notePlayedLocked(s, p, now)
		if s.m.Played < s.m.AudioOut-playTolerance {
			return
		}
		s.m.Done = now
		m.readyLocked(s.m)
		m.popSettlingLocked()
	}
}

func (m *meter) notePlayedLocked(s *settlingTurn, p time.Duration, now time.Time) {
	s.m.Played = p
	if p > 0 && s.m.FirstPlayed.IsZero() {
		s.m.FirstPlayed = now.Add(-p)
	}
}

func (m *meter) popSettlingLocked() {
	m.settling[0] = settlingTurn{}
	m.settling = m.settling[1:]
}

// readySettlingLocked makes every settling turn ready as of now.
func (m *meter) readySettlingLocked(now time.Time) {
	for len(m.settling) > 0 {
		s := &m.settling[0]
		m.notePlayedLocked(s, m.reporter.Played(s.backendTurn), now)
		s.m.Done = now
		m.readyLocked(s.m)
		m.popSettlingLocked()
	}
}

// clientCut notes Interrupt: at is its call, and the receiver's Flush has
// just returned. The cut belongs to the turn whose audio was playing, else
// to the turn being received; with neither it cut nothing and is no
// barge-in.
func (m *meter) clientCut(at time.Time) {
	cut := BargeIn{At: at, Silent: m.clock(), Client: true}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.settling) == 0 {
		if m.receiving && m.pendingCut.At.IsZero() {
			m.pendingCut = cut
		}
		return
	}
	m.total.BargeIns++
	m.settling[0].m.BargeIn = cut
	m.readySettlingLocked(cut.Silent)
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// toolAnswered notes a tool result about to be sent.
func (m *meter) toolAnswered(call ToolCall, called time.Time, failed bool) {
	answered := m.clock()
	m.mu.Lock()
	defer m.mu.Unlock()
	tm := ToolMetrics{ID: call.ID, Name: call.Name, Called: called, Answered: answered, Failed: failed}
	m.tools = appendBounded(m.tools, tm)
	m.total.ToolCalls++
	if m.total.Tools == nil {
		m.total.Tools = map[string]ToolTotals{}
	}
	tt := m.total.Tools[call.Name]
	tt.Calls++
	if failed {
		tt.Failed++
	}
	d := tm.Duration()
	tt.Total += d
	tt.Max = max(tt.Max, d)
	if len(m.total.Tools) < maxPending || tt.Calls > 1 {
		m.total.Tools[call.Name] = tt
	}
}

// readyLocked completes tm and queues it for emission.
func (m *meter) readyLocked(tm TurnMetrics) {
	if !tm.InputEnd.IsZero() {
		tm.TimeToFirstSymbol = since(tm.InputEnd, tm.FirstSymbol)
		tm.TimeToFirstAudio = since(tm.InputEnd, tm.FirstAudio)
		tm.TimeToFirstPlayed = since(tm.InputEnd, tm.FirstPlayed)
	}
	tm.Cost = m.prices.Cost(tm.Usage)
	tm.Tools, m.tools = m.tools, nil
	tm.Reconnects, m.reconnects = m.reconnects, nil
	m.total.Turns++
	if tm.Interrupted {
		m.total.Interrupted++
	}
	addUsage(&m.total.Usage, tm.Usage)
	m.total.Cost += tm.Cost
	m.total.End = tm.Done
	tm.Conversation = m.total
	tm.Conversation.Usage = cloneUsage(m.total.Usage)
	tm.Conversation.Tools = maps.Clone(m.total.Tools)
	m.ready = append(m.ready, tm)
}

// since returns to − from, or 0 when to was not observed.
func since(from, to time.Time) time.Duration {
	if to.IsZero() {
		return 0
	}
	return to.Sub(from)
}

// ---- emission ----

// emit delivers the ready turns' EventMetrics, in order.
func (m *meter) emit(ctx context.Context, out *outlet) error {
	m.emitMu.Lock()
	defer m.emitMu.Unlock()
	for {
		m.mu.Lock()
		if len(m.ready) == 0 {
			m.mu.Unlock()
			return nil
		}
		tm := m.ready[0]
		m.ready[0] = TurnMetrics{}
		m.ready = m.ready[1:]
		m.mu.Unlock()
		if err := out.deliver(ctx, StreamEvent{Type: EventMetrics, Data: tm, Timestamp: tm.Done}); err != nil {
			return err
		}
	}
}

// watch polls the receiver's playback of settling turns and emits them
// until ctx is done.
func (m *meter) watch(ctx context.Context, out *outlet) error {
	tick := time.NewTicker(m.poll)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			m.pollSettling()
		case <-m.wake:
		}
		if err := m.emit(ctx, out); err != nil {
			return err
		}
	}
}

// finish ends the measurement when RunDuplex returns: every settling turn
// is ready, the usage of a turn left open counts, and the remaining
// EventMetrics and the EventSummary are delivered (with ctx's values but
// not its cancellation). No other goroutine of the run is left.
func (m *meter) finish(ctx context.Context, out *outlet) {
	ctx = context.WithoutCancel(ctx)
	now := m.clock()
	m.reconnectedLocked(time.Time{}) // no goroutine delivers any more
	m.mu.Lock()
	m.readySettlingLocked(now)
	open := m.cur.m.Usage
	addUsage(&m.total.Usage, open)
	m.total.Cost += m.prices.Cost(open)
	m.mu.Unlock()
	_ = m.emit(ctx, out)
	m.mu.Lock()
	sum := m.total
	sum.Tools = maps.Clone(m.total.Tools)
	sum.End = m.clock()
	m.mu.Unlock()
	_ = out.deliver(ctx, StreamEvent{Type: EventSummary, Data: sum, Timestamp: sum.End})
}
