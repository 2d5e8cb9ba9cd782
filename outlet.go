package fullduplex

import (
	"context"
	"sync"
	"sync/atomic"
)

// An outlet delivers items to the session's receiver and keeps the barge-in
// state. One mutex serialises delivery, flushes and the drop decision, so no
// audio of an interrupted turn can be written after the flush.
//
// Interrupt and Reset never wait for that mutex: they mark an operation as
// pending and, if
// the mutex is busy, the goroutine holding it performs the cut before it
// releases the mutex (see release). So a Sink may call Interrupt from its
// own Write, and an Interrupt from elsewhere never waits on a slow Write.
type outlet struct {
	mu       sync.Mutex
	pending  atomic.Int32  // opNone, opCut or opReset: waits to be applied
	active   atomic.Bool   // RunDuplex is running
	notify   chan struct{} // cap 1: wakes the interrupt forwarder
	forward  atomic.Bool   // a client interrupt is still to be told to the stream
	sink     Sink
	flusher  Flusher
	flushNow atomic.Pointer[flusherBox] // flusher, for an Interrupt that finds mu busy
	onSymbol func(context.Context, Symbol) error
	onEvent  func(context.Context, StreamEvent) error

	// Turn tracking. An audio symbol's turn is its MetaTurn when the backend
	// sets one, else boundaries: the count of EventStreamEnd and
	// EventInterrupt seen so far.
	boundaries  int
	lastTurn    int  // turn of the last model audio delivered
	speaking    bool // model audio delivered since the last boundary
	dropping    bool // drop audio of turns <= dropThrough
	dropThrough int
}

// A flusherBox holds a Flusher for an atomic.Pointer.
type flusherBox struct{ Flusher }

// Operations requested from outside the delivering goroutine.
const (
	opNone  int32 = iota
	opCut         // Interrupt
	opReset       // Reset
)

func newOutlet() outlet { return outlet{notify: make(chan struct{}, 1)} }

// start arms the outlet for a RunDuplex call and returns the channel on
// which client interrupts are signalled.
func (o *outlet) start(sink Sink, onSymbol func(context.Context, Symbol) error, onEvent func(context.Context, StreamEvent) error) <-chan struct{} {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sink, o.onSymbol, o.onEvent = sink, onSymbol, onEvent
	o.flusher, _ = sink.(Flusher)
	if o.flusher != nil {
		o.flushNow.Store(&flusherBox{o.flusher})
	}
	o.speaking, o.dropping = false, false
	o.pending.Store(opNone)
	o.forward.Store(false)
	select {
	case <-o.notify:
	default:
	}
	o.active.Store(true)
	return o.notify
}

func (o *outlet) stop() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.active.Store(false)
	o.flushNow.Store(nil)
	o.sink, o.flusher, o.onSymbol, o.onEvent = nil, nil, nil, nil
}

// applyLocked performs the pending operation, if any.
func (o *outlet) applyLocked() {
	switch o.pending.Swap(opNone) {
	case opCut:
		o.cutLocked()
	case opReset:
		o.dropping, o.speaking = false, false
	}
}

// release applies the pending operation and unlocks o.mu. It re-checks after
// unlocking, so a request that found the mutex busy is never stranded.
func (o *outlet) release() {
	for {
		o.applyLocked()
		o.mu.Unlock()
		if o.pending.Load() == opNone || !o.mu.TryLock() {
			return
		}
	}
}

// request asks for op now, or hands it to the goroutine holding o.mu. A cut
// that finds o.mu busy also flushes at once: the holder may be blocked in a
// Write that waits for room in the very queue the cut empties (a speaker's
// backpressure), and the listener should not wait for it either way.
func (o *outlet) request(op int32) {
	o.pending.Store(op)
	if o.mu.TryLock() {
		o.release()
		return
	}
	if b := o.flushNow.Load(); op == opCut && b != nil {
		b.Flush()
	}
}

// deliver hands item to the receiver, applying barge-in: a stream interrupt
// flushes first, and audio of an interrupted turn is dropped.
func (o *outlet) deliver(ctx context.Context, item StreamItem) error {
	o.mu.Lock()
	defer o.release()
	o.applyLocked()
	switch it := item.(type) {
	case Symbol:
		if it.Modality == ModalityAudio && !o.admitAudio(it) {
			return nil
		}
		if o.sink != nil {
			return o.sink.Write(ctx, item)
		}
		if o.onSymbol != nil {
			return o.onSymbol(ctx, it)
		}
	case StreamEvent:
		switch it.Type {
		case EventInterrupt:
			o.cutLocked()
			o.boundaries++
		case EventStreamEnd:
			o.speaking = false
			o.boundaries++
		}
		if o.sink != nil {
			return o.sink.Write(ctx, item)
		}
		if o.onEvent != nil {
			return o.onEvent(ctx, it)
		}
	}
	return nil
}

// admitAudio reports whether model audio s may be delivered, and records it.
func (o *outlet) admitAudio(s Symbol) bool {
	turn, ok := s.Turn()
	if !ok {
		turn = o.boundaries
	}
	if o.dropping {
		if turn <= o.dropThrough {
			return false
		}
		o.dropping = false
	}
	o.speaking, o.lastTurn = true, turn
	return true
}

// cutLocked flushes the sink and, when model audio is playing, starts
// dropping the rest of its turn.
func (o *outlet) cutLocked() {
	if o.flusher != nil {
		o.flusher.Flush()
	}
	if o.speaking {
		o.dropping, o.dropThrough = true, o.lastTurn
	}
	o.speaking = false
}

// interrupt applies a client interrupt now, or hands it to the goroutine
// delivering at this moment, and signals the stream.
func (o *outlet) interrupt() {
	if !o.active.Load() {
		return
	}
	o.request(opCut)
	o.forward.Store(true)
	select {
	case o.notify <- struct{}{}:
	default: // one pending notice is enough
	}
}

func (o *outlet) reset() { o.request(opReset) }
