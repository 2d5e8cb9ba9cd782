package fullduplex

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A DuplexSession runs a conversation over a DuplexStream: it sends what a
// Source yields while delivering what the stream returns, handles barge-in,
// and runs tool calls.
//
// Set the callbacks and add tools before RunDuplex; RunDuplex runs once at a
// time; Interrupt and Reset are safe from any goroutine at any time.
type DuplexSession struct {
	// OnSymbol receives every Symbol when RunDuplex is given no Sink.
	// OnEvent receives every StreamEvent when RunDuplex is given no Sink.
	//
	// Calls of OnSymbol, OnEvent and a Sink's Write are serialised: never
	// two at once, each one finished before the next begins, in the order
	// the items were produced. They come from RunDuplex's goroutines: the
	// receiving one for what the stream returns, a sending one for the
	// EventError of a refused Symbol, a tool's for the EventError of a
	// failed tool. Return quickly: delivery waits for them, and so does the
	// completion of a barge-in cut.
	OnSymbol func(ctx context.Context, s Symbol) error
	OnEvent  func(ctx context.Context, e StreamEvent) error

	// MaxTurns, when positive, makes RunDuplex return nil once that many
	// model turns have ended (their terminators, EventStreamEnd or
	// EventInterrupt, delivered): MaxTurns 1 asks one question and takes
	// one answer, on a live stream as on a fake. The stream stays open.
	// Default 0: no limit.
	MaxTurns int

	// MaxToolCalls is how many tool handlers run at once; further calls
	// wait, in order, and every call is answered. Default
	// DefaultMaxToolCalls (8).
	MaxToolCalls int

	// Metrics, when non-nil, measures every model turn (latency to the
	// first symbol, audio and played audio, barge-in to silence, tools,
	// reconnects, tokens and cost) and delivers an EventMetrics per turn
	// and an EventSummary when RunDuplex returns, to the receiver like
	// every event. Default nil: nothing is measured, at no cost.
	Metrics *MetricsConfig

	stream DuplexStream

	mu      sync.Mutex // guards tools and running
	tools   []Tool
	running bool

	out outlet
	// The delivering goroutine writes out's tail on every delivery and the
	// send path writes sendMu on every send; the pad keeps them on separate
	// cache lines, so the two goroutines do not bounce one between cores.
	_ [64]byte

	// sendMu orders what goes to the stream: a client interrupt that is
	// pending is told to the stream before the next Send or SendEnd, so an
	// interrupt never overtakes the input that follows it.
	sendMu      sync.Mutex
	interrupter OutputInterrupter // the stream, if it is one; set by NewDuplexSession
	meter       *meter            // the running RunDuplex's, or nil; guarded by sendMu
}

// NewDuplexSession returns a session over stream. The session does not own
// the stream: close it yourself when you are done.
func NewDuplexSession(stream DuplexStream) *DuplexSession {
	interrupter, _ := stream.(OutputInterrupter)
	return &DuplexSession{stream: stream, out: newOutlet(), interrupter: interrupter}
}

// Stream returns the stream the session runs over.
func (s *DuplexSession) Stream() DuplexStream { return s.stream }

// errStreamEnded stops the other goroutines of RunDuplex when the stream
// ended cleanly; RunDuplex turns it into nil.
var errStreamEnded = errors.New("fullduplex: stream ended")

// RunDuplex sends everything sender yields while delivering everything the
// stream returns to receiver (or to OnSymbol and OnEvent when receiver is
// nil), concurrently. It connects the stream first when it is not connected,
// declaring the session's tools to a ToolDeclarer; a PlaybackUser stream
// gets the receiver's PlaybackReporter for the run.
//
// The sender's io.EOF ends input: RunDuplex calls CloseSend when the stream
// is a SendCloser, so the stream answers what it has and then ends, and
// SendEnd otherwise; receiving goes on either way. A nil sender sends
// nothing and closes nothing. RunDuplex returns nil when the stream ends
// cleanly (io.EOF from Receive) or MaxTurns turns have ended, ctx's error
// when ctx is done, and otherwise the first error of either side, wrapped
// so errors.Is finds it. A Symbol the
// stream refuses with ErrInvalidSymbol is reported as an EventError and the
// session goes on. Every goroutine RunDuplex started has finished when it
// returns.
func (s *DuplexSession) RunDuplex(ctx context.Context, sender Source, receiver Sink) error {
	if err := s.begin(); err != nil {
		return err
	}
	defer s.end()

	tools := s.Tools()
	responder, _ := s.stream.(ToolResponder)
	if len(tools) > 0 && responder == nil {
		return fmt.Errorf("fullduplex: %d tool(s) registered but the stream (%T) cannot send tool results", len(tools), s.stream)
	}
	if pu, ok := s.stream.(PlaybackUser); ok {
		pu.UsePlayback(playbackOf(receiver))
		defer pu.UsePlayback(nil)
	}
	if !s.stream.Connected() {
		if d, ok := s.stream.(ToolDeclarer); ok && len(tools) > 0 {
			if err := d.DeclareTools(tools); err != nil {
				return fmt.Errorf("fullduplex: declare tools: %w", err)
			}
		}
		if err := s.stream.Connect(ctx); err != nil {
			return fmt.Errorf("fullduplex: connect: %w", err)
		}
	}

	g, gctx := errgroup.WithContext(ctx)
	m := s.startMetrics(receiver)
	interrupts := s.out.start(receiver, s.OnSymbol, s.OnEvent, m)
	defer s.out.stop()
	runner := newToolRunner(tools, responder, &s.out, s.MaxToolCalls)
	runner.meter = m

	g.Go(func() error { return s.receiveLoop(gctx, g, runner, m) })
	if m != nil && m.reporter != nil {
		g.Go(func() error { return m.watch(gctx, &s.out) })
	}
	if sender != nil {
		s.startSenders(gctx, g, sender)
	}
	if s.interrupter != nil {
		g.Go(func() error { return s.forwardInterrupts(gctx, interrupts) })
	}

	err := g.Wait()
	s.finishMetrics(ctx, m)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, errStreamEnded) {
		return nil
	}
	return err
}

func (s *DuplexSession) begin() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return errors.New("fullduplex: RunDuplex is already running on this session")
	}
	s.running = true
	return nil
}

func (s *DuplexSession) end() {
	s.mu.Lock()
	s.running = false
	s.mu.Unlock()
}

// receiveLoop delivers what the stream returns until it ends, or until
// MaxTurns turns have ended.
func (s *DuplexSession) receiveLoop(ctx context.Context, g *errgroup.Group, runner *toolRunner, m *meter) error {
	turns := 0
	for {
		item, err := s.stream.Receive(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return errStreamEnded
			}
			return fmt.Errorf("fullduplex: receive: %w", err)
		}
		ev, isEvent := item.(StreamEvent)
		if isEvent {
			runner.observe(ctx, g, ev)
		}
		if err := s.out.deliver(ctx, item); err != nil {
			return err
		}
		if isEvent && m != nil && isTerminator(ev.Type) {
			if err := m.emit(ctx, &s.out); err != nil {
				return err
			}
		}
		if isEvent && s.MaxTurns > 0 && isTerminator(ev.Type) {
			if turns++; turns >= s.MaxTurns {
				return errStreamEnded
			}
		}
	}
}

// isTerminator reports whether t ends a model turn.
func isTerminator(t EventType) bool { return t == EventStreamEnd || t == EventInterrupt }

// startSenders starts one goroutine per input: one for a plain Source, one
// per member of MergeSources. CloseSend (or SendEnd) follows the last
// input's io.EOF.
func (s *DuplexSession) startSenders(ctx context.Context, g *errgroup.Group, sender Source) {
	srcs := []Source{sender}
	if m, ok := sender.(*mergedSource); ok {
		srcs = m.srcs
	}
	var mu sync.Mutex
	open := len(srcs)
	for _, src := range srcs {
		g.Go(func() error {
			if err := s.sendLoop(ctx, src); err != nil {
				return err
			}
			mu.Lock()
			open--
			last := open == 0
			mu.Unlock()
			if !last {
				return nil
			}
			return s.closeInput(ctx)
		})
	}
}

// closeInput ends the input for good: CloseSend on a SendCloser, SendEnd on
// any other stream.
func (s *DuplexSession) closeInput(ctx context.Context) error {
	return s.sendInOrder(ctx, func() error {
		s.endAudioInput()
		if c, ok := s.stream.(SendCloser); ok {
			if err := c.CloseSend(ctx); err != nil {
				return fmt.Errorf("fullduplex: close send: %w", err)
			}
			return nil
		}
		if err := s.stream.SendEnd(ctx); err != nil {
			return fmt.Errorf("fullduplex: send end: %w", err)
		}
		return nil
	})
}

// SendEnd ends the user's current input turn (the stream's SendEnd), in
// order with what the session sends: after the symbols already sent and
// after a pending Interrupt, before anything the Source yields next. Use it
// for client-side end of turn detection, for example from a voice activity
// detector that wraps the session's Source. It is safe from any goroutine
// while RunDuplex runs.
func (s *DuplexSession) SendEnd(ctx context.Context) error {
	return s.sendInOrder(ctx, func() error {
		s.endAudioInput()
		if err := s.stream.SendEnd(ctx); err != nil {
			return fmt.Errorf("fullduplex: send end: %w", err)
		}
		return nil
	})
}

// sendLoop sends what src yields until its io.EOF (nil) or an error.
func (s *DuplexSession) sendLoop(ctx context.Context, src Source) error {
	for {
		sym, err := src.Next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil
			}
			return fmt.Errorf("fullduplex: source: %w", err)
		}
		if err := s.send(ctx, sym); err != nil {
			if !errors.Is(err, ErrInvalidSymbol) {
				return fmt.Errorf("fullduplex: send: %w", err)
			}
			if err := s.out.deliver(ctx, NewEvent(EventError, err)); err != nil {
				return err
			}
		}
	}
}

// send sends sym in order (see sendInOrder), metered when a meter needs
// it. It is sendInOrder written out for the one call per symbol, without a
// closure.
func (s *DuplexSession) send(ctx context.Context, sym Symbol) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if err := s.forwardPendingLocked(ctx); err != nil {
		return err
	}
	if m := s.meter; m != nil && (sym.Modality != ModalityAudio || !m.audioOpen) {
		return s.sendMetered(ctx, sym)
	}
	return s.stream.Send(ctx, sym)
}

// sendInOrder runs send after telling the stream about a pending client
// interrupt, so that the stream sees them in the order they happened.
func (s *DuplexSession) sendInOrder(ctx context.Context, send func() error) error {
	s.sendMu.Lock()
	defer s.sendMu.Unlock()
	if err := s.forwardPendingLocked(ctx); err != nil {
		return err
	}
	return send()
}

// forwardInterrupts tells the stream about client-side barge-in while no
// input is being sent, off the caller's goroutine so that Interrupt never
// waits on the network.
func (s *DuplexSession) forwardInterrupts(ctx context.Context, wake <-chan struct{}) error {
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-wake:
			s.sendMu.Lock()
			err := s.forwardPendingLocked(ctx)
			s.sendMu.Unlock()
			if err != nil {
				return err
			}
		}
	}
}

// forwardPendingLocked calls InterruptOutput if a client interrupt is
// pending; a failure is reported as an EventError. s.sendMu must be held.
func (s *DuplexSession) forwardPendingLocked(ctx context.Context) error {
	// Load before Swap: the common case, nothing pending, only reads the
	// flag's cache line instead of taking it from the other cores.
	if s.interrupter == nil || !s.out.forward.Load() || !s.out.forward.Swap(false) {
		return nil
	}
	err := s.interrupter.InterruptOutput(ctx)
	if err == nil || ctx.Err() != nil {
		return nil
	}
	return s.out.deliver(ctx, NewEvent(EventError, fmt.Errorf("fullduplex: interrupt output: %w", err)))
}

// Interrupt is barge-in from the client: it flushes every Flusher sink,
// drops the audio of the interrupted model turn that is still arriving, and
// tells the stream when it is an OutputInterrupter (from a goroutine of
// RunDuplex, so Interrupt never waits on the network, and always before the
// next Send or SendEnd, so the stream never sees input that followed the
// interrupt before the interrupt itself). The session goes on: the next
// model turn plays normally.
//
// Interrupt is safe from any goroutine, including from a Sink's own Write,
// and never blocks. It flushes at once even while an item is being
// delivered (a speaker's Write may be waiting for room in its queue, which
// the flush makes); the delivering goroutine then completes the cut as soon
// as that one Write returns, before it delivers anything else. It does
// nothing when RunDuplex is not running.
func (s *DuplexSession) Interrupt() { s.out.interrupt() }

// Reset clears the interrupt state, so audio of the interrupted turn is
// delivered again; like Interrupt it is safe from any goroutine and never
// blocks, and a Reset still pending cancels a pending Interrupt. Kept for
// parity with the Python package; sessions do not need it, since a new model
// turn clears the state by itself.
func (s *DuplexSession) Reset() { s.out.reset() }

// AddTool registers a tool the model may call. Call it before RunDuplex. It
// refuses an empty name, a nil handler and a name already registered.
func (s *DuplexSession) AddTool(t Tool) error {
	if t.Name == "" {
		return errors.New("fullduplex: tool has no name")
	}
	if t.Handler == nil {
		return fmt.Errorf("fullduplex: tool %q has no handler", t.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, have := range s.tools {
		if have.Name == t.Name {
			return fmt.Errorf("fullduplex: tool %q is already registered", t.Name)
		}
	}
	s.tools = append(s.tools, t)
	return nil
}

// Tools returns a copy of the registered tools, in registration order.
func (s *DuplexSession) Tools() []Tool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Tool(nil), s.tools...)
}
