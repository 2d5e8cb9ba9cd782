package fullduplex

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// An outlet delivers items to the session's receiver and keeps the barge-in
// state.
//
// Interrupt flushes the receiver itself, at once, from its caller's
// goroutine (every Flusher accepts Flush from any goroutine), and records
// the cut in an atomic sequence; it never waits for a delivery. The one
// goroutine delivering at a time (under mu) applies the drop bookkeeping of
// every cut it has not seen yet, before each write and again after it: a
// write that was in flight during the cut may have queued audio after the
// flush, so it flushes once more. So no audio of a cut turn stays queued,
// and a Sink may call Interrupt from its own Write.
type outlet struct {
	run      atomic.Pointer[receiver] // the current RunDuplex's receiver; nil when not running
	seq      atomic.Uint64            // orders cuts and resets
	cutSeq   atomic.Uint64            // seq of the latest Interrupt
	resetSeq atomic.Uint64            // seq of the latest Reset
	notify   chan struct{}            // cap 1: wakes the interrupt forwarder
	// forward is true while a client interrupt is still to be told to the
	// stream; set by Interrupt, cleared by the session's send path.
	forward atomic.Bool
	// The fields above are written only by Interrupt, Reset and start and
	// read on every delivery and send; the delivering goroutine writes the
	// ones below on every delivery. The pad keeps them on separate cache
	// lines, so the send path's reads do not bounce between cores.
	_ [64]byte

	mu sync.Mutex // held by the delivering goroutine; guards everything below
	// Turn tracking. An audio symbol's turn is its MetaTurn when the backend
	// sets one, else boundaries: the count of EventStreamEnd and
	// EventInterrupt seen so far.
	seenCut, seenReset uint64
	boundaries         int
	speaking           bool // model audio delivered since the last boundary
	// The last model audio delivered: its Metadata and the boundaries
	// count when it came, from which lastTurn finds its turn only when a
	// cut needs it (a turn's chunks share one read-only map, so most
	// deliveries need no map lookup).
	lastMeta       map[string]any
	lastBoundaries int
	dropping       bool // drop audio of turns <= dropThrough
	dropThrough    int
}

// A receiver is where one RunDuplex delivers: a Sink, or the callbacks.
type receiver struct {
	sink     Sink
	flusher  Flusher // sink, if it is one
	onSymbol func(context.Context, Symbol) error
	onEvent  func(context.Context, StreamEvent) error
	meter    *meter // DuplexSession.Metrics of the run, or nil
}

func newOutlet() outlet { return outlet{notify: make(chan struct{}, 1)} }

// start arms the outlet for a RunDuplex call and returns the channel on
// which client interrupts are signalled.
func (o *outlet) start(sink Sink, onSymbol func(context.Context, Symbol) error, onEvent func(context.Context, StreamEvent) error, m *meter) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := &receiver{sink: sink, onSymbol: onSymbol, onEvent: onEvent, meter: m}
	r.flusher, _ = sink.(Flusher)
	o.seenCut, o.seenReset = o.cutSeq.Load(), o.resetSeq.Load()
	o.speaking, o.dropping = false, false
	o.forward.Store(false)
	select {
	case <-o.notify:
	default:
	}
	o.run.Store(r)
	return o.notify
}

func (o *outlet) stop() { o.run.Store(nil) }

// deliver hands item to the receiver, applying barge-in: a stream interrupt
// flushes first, and audio of an interrupted turn is dropped.
func (o *outlet) deliver(ctx context.Context, item StreamItem) error {
	r := o.run.Load()
	if r == nil {
		return nil
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.syncLocked(r)
	defer o.syncLocked(r) // a cut during the write: flush what it queued
	switch it := item.(type) {
	case Symbol:
		audio := it.Modality == ModalityAudio
		if audio && !o.admitAudio(it) {
			return nil
		}
		if r.meter != nil {
			r.meter.symbolLocked(&it, audio, o.boundaries)
		}
		if r.sink != nil {
			return r.sink.Write(ctx, item)
		}
		if r.onSymbol != nil {
			return r.onSymbol(ctx, it)
		}
	case StreamEvent:
		switch it.Type {
		case EventInterrupt:
			o.cutLocked(r)
			o.boundaries++
		case EventStreamEnd:
			o.speaking = false
			o.boundaries++
		}
		if r.meter != nil {
			r.meter.eventLocked(it)
		}
		if r.sink != nil {
			return r.sink.Write(ctx, item)
		}
		if r.onEvent != nil {
			return r.onEvent(ctx, it)
		}
	}
	return nil
}

// syncLocked applies the cuts and resets requested since the last call, in
// the order they were requested: the latest one wins, so a Reset after a
// cut cancels it and a cut after a Reset stands.
func (o *outlet) syncLocked(r *receiver) {
	cut, reset := o.cutSeq.Load(), o.resetSeq.Load()
	if cut == o.seenCut && reset == o.seenReset {
		return // nothing new: the common case, with no stores
	}
	newCut, newReset := cut != o.seenCut, reset != o.seenReset
	o.seenCut, o.seenReset = cut, reset
	switch {
	case newCut && (!newReset || cut > reset):
		o.cutLocked(r)
	case newReset:
		o.dropping, o.speaking = false, false
	}
}

// admitAudio reports whether model audio s may be delivered, and records it.
func (o *outlet) admitAudio(s Symbol) bool {
	if o.dropping {
		if turnOf(s.Metadata, o.boundaries) <= o.dropThrough {
			return false
		}
		o.dropping = false
	}
	o.speaking, o.lastMeta, o.lastBoundaries = true, s.Metadata, o.boundaries
	return true
}

// turnOf returns the turn of model audio with metadata meta: its MetaTurn
// when the backend sets one, else boundaries.
func turnOf(meta map[string]any, boundaries int) int {
	if turn, ok := meta[MetaTurn].(int); ok {
		return turn
	}
	return boundaries
}

// cutLocked flushes the sink and, when model audio is playing, starts
// dropping the rest of its turn.
func (o *outlet) cutLocked(r *receiver) {
	if r.flusher != nil {
		r.flusher.Flush()
	}
	if o.speaking {
		o.dropping, o.dropThrough = true, turnOf(o.lastMeta, o.lastBoundaries)
	}
	o.speaking = false
}

// interrupt flushes the receiver now, records the cut for the delivering
// goroutine, and signals the stream.
func (o *outlet) interrupt() {
	r := o.run.Load()
	if r == nil {
		return
	}
	var at time.Time
	if r.meter != nil {
		at = r.meter.clock()
	}
	o.cutSeq.Store(o.seq.Add(1))
	if r.flusher != nil {
		r.flusher.Flush()
	}
	if r.meter != nil {
		r.meter.clientCut(at)
	}
	o.forward.Store(true)
	select {
	case o.notify <- struct{}{}:
	default: // one pending notice is enough
	}
}

func (o *outlet) reset() { o.resetSeq.Store(o.seq.Add(1)) }
