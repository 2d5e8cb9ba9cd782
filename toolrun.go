package fullduplex

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync"

	"golang.org/x/sync/errgroup"
)

// A toolRunner runs the handlers of tool calls on goroutines of the
// RunDuplex errgroup, and cancels them on EventToolCancel.
type toolRunner struct {
	tools     map[string]Tool
	responder ToolResponder
	out       *outlet

	mu      sync.Mutex
	running map[string]context.CancelFunc // call ID → cancel
}

func newToolRunner(tools []Tool, responder ToolResponder, out *outlet) *toolRunner {
	r := &toolRunner{responder: responder, out: out, running: map[string]context.CancelFunc{}}
	if len(tools) > 0 {
		r.tools = make(map[string]Tool, len(tools))
		for _, t := range tools {
			r.tools[t.Name] = t
		}
	}
	return r
}

// observe starts or cancels handlers for a tool event. With no tools
// registered it does nothing: the application answers calls itself.
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
		callCtx, cancel := context.WithCancel(ctx)
		r.mu.Lock()
		if old := r.running[call.ID]; old != nil {
			old() // a repeated ID replaces the earlier call
		}
		r.running[call.ID] = cancel
		r.mu.Unlock()
		g.Go(func() error { return r.run(ctx, callCtx, call) })
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

// run runs one call and sends its result, unless the call was cancelled.
// A failing or panicking handler becomes an error result and an EventError.
func (r *toolRunner) run(sessCtx, callCtx context.Context, call ToolCall) error {
	res, herr := r.invoke(callCtx, call)
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
	if herr != nil {
		if err := r.out.deliver(sessCtx, NewEvent(EventError, herr)); err != nil {
			return err
		}
	}
	if err := r.responder.SendToolResult(sessCtx, res); err != nil && sessCtx.Err() == nil {
		return fmt.Errorf("fullduplex: send result of tool %q (call %s): %w", call.Name, call.ID, err)
	}
	return nil
}

// invoke calls the handler, turning a panic or an error into an error result.
func (r *toolRunner) invoke(ctx context.Context, call ToolCall) (res ToolResult, err error) {
	res = ToolResult{ID: call.ID, Name: call.Name}
	tool, ok := r.tools[call.Name]
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
		return ToolResult{ID: call.ID, Name: call.Name, Error: herr.Error()}, fmt.Errorf("fullduplex: tool %q: %w", call.Name, herr)
	}
	res.Output = out
	return res, nil
}
