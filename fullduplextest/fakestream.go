package fullduplextest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/fullduplex-go/fullduplex"
)

// FakeStream is a scripted in-memory fullduplex.DuplexStream. The zero value
// is not usable; call NewFakeStream.
//
// All methods are safe for concurrent use: the application under test uses
// the DuplexStream methods while the test scripts the model with Emit, End
// and Fail and inspects the record with Sent, WaitSent and the like.
type FakeStream struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change, for waiters

	connected  bool
	closed     bool
	closedCh   chan struct{}
	connects   int
	connectErr error
	sendErr    error // returned by the next Send
	validate   bool

	queue       []fullduplex.StreamItem   // emitted, not yet received
	held        [][]fullduplex.StreamItem // EmitAfterInput batches not released yet, in order
	heldFrom    int                       // the input turn that releases held[0] is heldFrom+1
	inputTurns  int                       // input turns ended: text Sends, SendEnds, CloseSend
	endErr      error                     // returned by Receive once queue is empty; nil: keep waiting
	inputClosed bool                      // CloseSend was called: io.EOF once queue is empty
	ready       chan struct{}             // cap 1: the queue or endErr changed
	sent        []fullduplex.Symbol
	ends        int
	interr      int
	tools       []fullduplex.Tool
	results     []fullduplex.ToolResult
}

var (
	_ fullduplex.DuplexStream      = (*FakeStream)(nil)
	_ fullduplex.ToolDeclarer      = (*FakeStream)(nil)
	_ fullduplex.ToolResponder     = (*FakeStream)(nil)
	_ fullduplex.OutputInterrupter = (*FakeStream)(nil)
	_ fullduplex.SendCloser        = (*FakeStream)(nil)
)

// NewFakeStream returns a FakeStream that is not connected yet. Send
// validates symbols like a real backend (see Symbol.Validate); turn that off
// with SetValidate(false).
func NewFakeStream() *FakeStream {
	return &FakeStream{
		changed:  make(chan struct{}),
		closedCh: make(chan struct{}),
		ready:    make(chan struct{}, 1),
		validate: true,
	}
}

// broadcastLocked wakes every waiter; f.mu must be held.
func (f *FakeStream) broadcastLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

func (f *FakeStream) signalReadyLocked() {
	select {
	case f.ready <- struct{}{}:
	default:
	}
}

// ---- fullduplex.DuplexStream ----

// Connect connects the stream, or returns the error set with FailConnect.
func (f *FakeStream) Connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return fullduplex.ErrClosed
	}
	if f.connectErr != nil {
		return f.connectErr
	}
	if !f.connected {
		f.connected = true
		f.connects++
		f.broadcastLocked()
	}
	return nil
}

// Close closes the stream; pending and later calls return ErrClosed.
func (f *FakeStream) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed, f.connected = true, false
	close(f.closedCh)
	f.broadcastLocked()
	return nil
}

// Connected reports whether Connect succeeded and Close was not called.
func (f *FakeStream) Connected() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connected
}

// lockUsable checks ctx, locks f.mu and checks the stream is usable; on
// error f.mu is not held.
func (f *FakeStream) lockUsable(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	if err := f.checkLocked(); err != nil {
		f.mu.Unlock()
		return err
	}
	return nil
}

func (f *FakeStream) checkLocked() error {
	if f.closed {
		return fullduplex.ErrClosed
	}
	if !f.connected {
		return fullduplex.ErrNotConnected
	}
	return nil
}

// Send records s, or returns the error set with FailNextSend, or an error
// wrapping ErrInvalidSymbol when s is not valid.
func (f *FakeStream) Send(ctx context.Context, s fullduplex.Symbol) error {
	if err := f.lockUsable(ctx); err != nil {
		return err
	}
	defer f.mu.Unlock()
	if err := f.sendErr; err != nil {
		f.sendErr = nil
		return err
	}
	if f.validate {
		if err := s.Validate(); err != nil {
			return err
		}
	}
	if f.inputClosed {
		return errInputClosed
	}
	f.sent = append(f.sent, s)
	if s.Modality == fullduplex.ModalityText {
		f.inputTurnLocked()
	}
	f.broadcastLocked()
	return nil
}

// errInputClosed is what Send returns after CloseSend.
var errInputClosed = errors.New("fullduplextest: Send after CloseSend")

// SendEnd records the end of the current input turn.
func (f *FakeStream) SendEnd(ctx context.Context) error {
	if err := f.lockUsable(ctx); err != nil {
		return err
	}
	defer f.mu.Unlock()
	f.ends++
	f.inputTurnLocked()
	f.broadcastLocked()
	return nil
}

// CloseSend ends the input for good: it ends the current input turn, later
// Sends fail, and Receive returns io.EOF once every released item has been
// received (batches of EmitAfterInput still waiting for input are dropped).
// A second CloseSend does nothing.
func (f *FakeStream) CloseSend(ctx context.Context) error {
	if err := f.lockUsable(ctx); err != nil {
		return err
	}
	defer f.mu.Unlock()
	if f.inputClosed {
		return nil
	}
	f.inputTurnLocked()
	f.inputClosed = true
	f.signalReadyLocked()
	f.broadcastLocked()
	return nil
}

// inputTurnLocked counts the end of an input turn and releases the batch of
// EmitAfterInput that waited for it.
func (f *FakeStream) inputTurnLocked() {
	f.inputTurns++
	for len(f.held) > 0 && f.heldFrom < f.inputTurns {
		f.queue = append(f.queue, f.held[0]...)
		f.held[0] = nil
		f.held = f.held[1:]
		f.heldFrom++
	}
	f.signalReadyLocked()
}

// Receive returns the next emitted item; once the queue is empty it returns
// io.EOF after End, the error given to Fail, or waits.
func (f *FakeStream) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	for {
		f.mu.Lock()
		if err := f.checkLocked(); err != nil {
			f.mu.Unlock()
			return nil, err
		}
		if len(f.queue) > 0 {
			item := f.queue[0]
			f.queue[0] = nil
			f.queue = f.queue[1:]
			if len(f.queue) > 0 {
				f.signalReadyLocked() // another receiver may be waiting
			}
			f.mu.Unlock()
			return item, nil
		}
		if f.endErr != nil {
			err := f.endErr
			f.mu.Unlock()
			return nil, err
		}
		if f.inputClosed {
			f.mu.Unlock()
			return nil, io.EOF
		}
		f.mu.Unlock()
		select {
		case <-f.ready:
		case <-f.closedCh:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// ---- optional interfaces ----

// DeclareTools records the tools a session declares before Connect.
func (f *FakeStream) DeclareTools(tools []fullduplex.Tool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tools = append([]fullduplex.Tool(nil), tools...)
	f.broadcastLocked()
	return nil
}

// SendToolResult records a tool result.
func (f *FakeStream) SendToolResult(ctx context.Context, r fullduplex.ToolResult) error {
	if err := f.lockUsable(ctx); err != nil {
		return err
	}
	defer f.mu.Unlock()
	f.results = append(f.results, r)
	f.broadcastLocked()
	return nil
}

// InterruptOutput records that the application asked the model to stop.
func (f *FakeStream) InterruptOutput(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.interr++
	f.broadcastLocked()
	return nil
}

// ---- scripting the model ----

// Emit queues items for Receive, in order. Emitting after End or Fail is
// allowed: the items are received before the end.
func (f *FakeStream) Emit(items ...fullduplex.StreamItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.queue = append(f.queue, items...)
	f.signalReadyLocked()
}

// EmitAfterInput queues items that Receive returns only once the
// application has ended an input turn for them: the items of the n-th call
// are released by the n-th input turn since the stream was made, whenever
// that happens (before or after the call). An input turn ends with a text
// Send, SendEnd or CloseSend. So a test can script every answer up front
// without racing the application's input: each answer comes after its
// question, as from a real model.
func (f *FakeStream) EmitAfterInput(items ...fullduplex.StreamItem) {
	f.mu.Lock()
	defer f.mu.Unlock()
	batch := append([]fullduplex.StreamItem(nil), items...)
	if f.heldFrom+len(f.held) < f.inputTurns {
		// Its input turn has already ended.
		f.heldFrom++
		f.queue = append(f.queue, batch...)
		f.signalReadyLocked()
		return
	}
	f.held = append(f.held, batch)
}

// EmitText queues a model text symbol.
func (f *FakeStream) EmitText(text string) {
	s := fullduplex.TextSymbol(text)
	s.Metadata = map[string]any{fullduplex.MetaRole: fullduplex.RoleModel}
	f.Emit(s)
}

// EmitAudio queues a model audio symbol of turn at rate.
func (f *FakeStream) EmitAudio(pcm []byte, rate, turn int) {
	s := fullduplex.AudioSymbol(pcm, rate)
	s.Metadata = map[string]any{
		fullduplex.MetaSampleRate: rate,
		fullduplex.MetaChannels:   1,
		fullduplex.MetaRole:       fullduplex.RoleModel,
		fullduplex.MetaTurn:       turn,
	}
	f.Emit(s)
}

// EmitEvent queues a StreamEvent of type t with data.
func (f *FakeStream) EmitEvent(t fullduplex.EventType, data any) {
	f.Emit(fullduplex.NewEvent(t, data))
}

// EmitToolCall queues an EventToolCall.
func (f *FakeStream) EmitToolCall(id, name string, args map[string]any) {
	f.EmitEvent(fullduplex.EventToolCall, fullduplex.ToolCall{ID: id, Name: name, Args: args})
}

// End makes Receive return io.EOF once the queued items are received: the
// model ended the stream cleanly.
func (f *FakeStream) End() { f.Fail(io.EOF) }

// Fail makes Receive return err once the queued items are received: the
// connection broke.
func (f *FakeStream) Fail(err error) {
	if err == nil {
		err = errors.New("fullduplextest: Fail(nil)")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.endErr = err
	f.signalReadyLocked()
}

// FailConnect makes Connect return err (nil: succeed again).
func (f *FakeStream) FailConnect(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.connectErr = err
}

// FailNextSend makes the next Send return err.
func (f *FakeStream) FailNextSend(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sendErr = err
}

// SetValidate turns Send's validation of symbols on or off.
func (f *FakeStream) SetValidate(on bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.validate = on
}

// ---- inspecting what was sent ----

// Sent returns a copy of the symbols sent so far.
func (f *FakeStream) Sent() []fullduplex.Symbol {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fullduplex.Symbol(nil), f.sent...)
}

// SendEnds returns how many times SendEnd was called.
func (f *FakeStream) SendEnds() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ends
}

// InputClosed reports whether CloseSend was called.
func (f *FakeStream) InputClosed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.inputClosed
}

// Interrupts returns how many times InterruptOutput was called.
func (f *FakeStream) Interrupts() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.interr
}

// Connects returns how many times the stream went from not connected to connected.
func (f *FakeStream) Connects() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.connects
}

// Tools returns the tools declared with DeclareTools.
func (f *FakeStream) Tools() []fullduplex.Tool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fullduplex.Tool(nil), f.tools...)
}

// ToolResults returns a copy of the tool results sent so far.
func (f *FakeStream) ToolResults() []fullduplex.ToolResult {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fullduplex.ToolResult(nil), f.results...)
}

// Closed reports whether Close was called.
func (f *FakeStream) Closed() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.closed
}

// waitFor blocks until cond (called with f.mu held) is true or ctx is done.
func (f *FakeStream) waitFor(ctx context.Context, what string, cond func() bool) error {
	for {
		f.mu.Lock()
		ok, ch := cond(), f.changed
		f.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("fullduplextest: waiting for %s: %w", what, ctx.Err())
		}
	}
}

// WaitSent waits until at least n symbols were sent and returns the first n.
func (f *FakeStream) WaitSent(ctx context.Context, n int) ([]fullduplex.Symbol, error) {
	err := f.waitFor(ctx, fmt.Sprintf("%d sent symbols", n), func() bool { return len(f.sent) >= n })
	if err != nil {
		return nil, err
	}
	return f.Sent()[:n], nil
}

// WaitSendEnd waits until SendEnd was called at least n times.
func (f *FakeStream) WaitSendEnd(ctx context.Context, n int) error {
	return f.waitFor(ctx, fmt.Sprintf("%d SendEnd calls", n), func() bool { return f.ends >= n })
}

// WaitInputClosed waits until CloseSend was called.
func (f *FakeStream) WaitInputClosed(ctx context.Context) error {
	return f.waitFor(ctx, "CloseSend", func() bool { return f.inputClosed })
}

// WaitInterrupts waits until InterruptOutput was called at least n times.
func (f *FakeStream) WaitInterrupts(ctx context.Context, n int) error {
	return f.waitFor(ctx, fmt.Sprintf("%d output interrupts", n), func() bool { return f.interr >= n })
}

// WaitConnected waits until the stream is connected.
func (f *FakeStream) WaitConnected(ctx context.Context) error {
	return f.waitFor(ctx, "Connect", func() bool { return f.connected })
}

// WaitResults waits until at least n tool results were sent.
func (f *FakeStream) WaitResults(ctx context.Context, n int) error {
	return f.waitFor(ctx, fmt.Sprintf("%d tool results", n), func() bool { return len(f.results) >= n })
}

// WaitToolResult waits for the result of call id and returns it.
func (f *FakeStream) WaitToolResult(ctx context.Context, id string) (fullduplex.ToolResult, error) {
	var res fullduplex.ToolResult
	err := f.waitFor(ctx, "the result of tool call "+id, func() bool {
		for _, r := range f.results {
			if r.ID == id {
				res = r
				return true
			}
		}
		return false
	})
	return res, err
}
