package fullduplex

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// A toolRunner runs the handlers of tool calls on at most limit goroutines
// of the RunDuplex errgroup at a time, in the order the calls came, and
// cancels them on EventToolCancel. Calls beyond the limit wait in a queue;
// every call is answered.
type toolRunner struct {
	tools     map[string]Tool
	responder ToolResponder
	out       *outlet
	limit     int
	meter     *meter // DuplexSession.Metrics of the run, or nil; set before the run

	mu      sync.Mutex                    // guards the fields below
	running map[string]context.CancelFunc // call ID → cancel, for calls queued or running
	queue   []queuedCall                  // calls no worker has taken yet, in order
	workers int                           // worker goroutines running
}

// A queuedCall is a call waiting for a worker: run it with ctx, or refuse
// it (its ID was in use when it came).
type queuedCall struct {
	call   ToolCall
	at     time.Time // the Timestamp of its EventToolCall
	ctx    context.Context
	refuse bool
}

// DefaultMaxToolCalls is DuplexSession.MaxToolCalls's default.
const DefaultMaxToolCalls = 8

func newToolRunner(tools []Tool, responder ToolResponder, out *outlet, limit int) *toolRunner {
	if limit <= 0 {
		limit = DefaultMaxToolCalls
	}
	r := &toolRunner{responder: responder, out: out, limit: limit, running: map[string]context.CancelFunc{}}
	if len(tools) > 0 {
		r.tools = make(map[string]Tool, len(tools))
		for _, t := range tools {
			r.tools[t.Name] = t
		}
	}
	return r
}

// observe queues or cancels calls for a tool event, starting a worker when
// fewer than limit run. With no tools registered it does nothing: the
// application answers calls itself.
func (r *toolRunner) observe(ctx context.Context, g *errgroup.Group, ev StreamEvent) {
	if r.tools == nil {
		return
	}
	switch ev.Type {
	case EventToolCall:
		call, ok := ev.Data.(ToolCall)
		if !ok {
			return
		}
		r.mu.Lock()
		q := queuedCall{call: call, at: ev.Timestamp}
		if _, busy := r.running[call.ID]; busy {
			// The model reused the ID of a call still queued or running:
			// that one goes on, and this one is refused, so each gets an
			// answer.
			q.refuse = true
		} else {
			var cancel context.CancelFunc
			q.ctx, cancel = context.WithCancel(ctx)
			r.running[call.ID] = cancel
		}
		r.queue = append(r.queue, q)
		start := r.workers < r.limit
		if start {
			r.workers++
		}
		r.mu.Unlock()
		if start {
			g.Go(func() error { return r.work(ctx) })
		}
	case EventToolCancel:
		ids, _ := ev.Data.([]string)
		r.mu.Lock()
		for _, id := range ids {
			if cancel := r.running[id]; cancel != nil {
				cancel()
			}
		}
		r.mu.Unlock()
	}
}

// work runs queued calls until the queue is empty.
func (r *toolRunner) work(ctx context.Context) error {
	for {
		r.mu.Lock()
		if len(r.queue) == 0 {
			r.workers--
			r.mu.Unlock()
			return nil
		}
		q := r.queue[0]
		r.queue[0] = queuedCall{}
		r.queue = r.queue[1:]
		r.mu.Unlock()
		var err error
		if q.refuse {
			err = r.refuse(ctx, q)
		} else {
			err = r.run(ctx, q)
		}
		if err != nil {
			return err
		}
	}
}

// refuse answers a call whose ID is already running with an error result
// and reports it as an EventError.
func (r *toolRunner) refuse(ctx context.Context, q queuedCall) error {
	call := q.call
	err := fmt.Errorf("fullduplex: model called tool %q with ID %q, the ID of a call still running: refused", call.Name, call.ID)
	res := ToolResult{ID: call.ID, Name: call.Name, Error: fmt.Sprintf("call ID %q is already in use by a running call", call.ID)}
	return r.answer(ctx, q, res, err)
}

// run runs one call and sends its result, unless the call was cancelled.
// A failing or panicking handler becomes an error result and an EventError.
func (r *toolRunner) run(sessCtx context.Context, q queuedCall) error {
	callCtx, call := q.ctx, q.call
	var res ToolResult
	var herr error
	if callCtx.Err() == nil { // not cancelled while it waited in the queue
		res, herr = r.invoke(callCtx, call)
	}
	r.mu.Lock()
	cancel := r.running[call.ID]
	delete(r.running, call.ID)
	r.mu.Unlock()
	cancelled := callCtx.Err() != nil
	if cancel != nil {
		cancel()
	}
	if cancelled {
		return nil // the model cancelled it, or the session is ending: no answer is wanted
	}
	return r.answer(sessCtx, q, res, herr)
}

// answer reports herr, if any, as an EventError and sends res.
func (r *toolRunner) answer(ctx context.Context, q queuedCall, res ToolResult, herr error) error {
	call := q.call
	if herr != nil {
		if err := r.out.deliver(ctx, NewEvent(EventError, herr)); err != nil {
			return err
		}
	}
	if r.meter != nil {
		// Before the send, so that the result's arrival at the stream
		// implies its measurement (a refused result ends the run).
		r.meter.toolAnswered(call, q.at, res.Error != "")
	}
	err := r.responder.SendToolResult(ctx, res)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("fullduplex: send result of tool %q (call %s): %w", call.Name, call.ID, err)
	}
	return nil
}

// invoke calls the handler, turning a panic or an error into an error result.
func (r *toolRunner) invoke(ctx context.Context, call ToolCall) (res ToolResult, err error) {
	res = ToolResult{ID: call.ID, Name: call.Name}
	tool, ok := r.tools[call.Name]
	res.Scheduling = tool.Scheduling
	if !ok {
		err = fmt.Errorf("fullduplex: model called unknown tool %q", call.Name)
		res.Error = fmt.Sprintf("unknown tool %q", call.Name)
		return res, err
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("fullduplex: tool %q panicked: %v\n%s", call.Name, p, debug.Stack())
			res.Output, res.Error = nil, fmt.Sprintf("tool %q failed: internal error", call.Name)
		}
	}()
	out, herr := tool.Handler(ctx, call.Args)
	if herr != nil {
		return ToolResult{ID: call.ID, Name: call.Name, Error: herr.Error(), Scheduling: tool.Scheduling}, fmt.Errorf("fullduplex: tool %q: %w", call.Name, herr)
	}
	res.Output = out
	return res, nil
}
