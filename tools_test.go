package fullduplex_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func TestAddToolValidates(t *testing.T) {
	sess := fd.NewDuplexSession(fullduplextest.NewFakeStream())
	ok := func(context.Context, map[string]any) (any, error) { return nil, nil }
	assert.ErrorContains(t, sess.AddTool(fd.Tool{Handler: ok}), "no name")
	assert.ErrorContains(t, sess.AddTool(fd.Tool{Name: "x"}), `tool "x" has no handler`)
	require.NoError(t, sess.AddTool(fd.Tool{Name: "x", Handler: ok}))
	assert.ErrorContains(t, sess.AddTool(fd.Tool{Name: "x", Handler: ok}), "already registered")
	assert.Len(t, sess.Tools(), 1)
}

// runTools starts RunDuplex with tools in the background and returns a
// function that ends the stream and returns RunDuplex's result.
func runTools(t *testing.T, fs *fullduplextest.FakeStream, sink fd.Sink, tools ...fd.Tool) func() error {
	t.Helper()
	sess := fd.NewDuplexSession(fs)
	for _, tl := range tools {
		require.NoError(t, sess.AddTool(tl))
	}
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(testCtx(t), nil, sink) }()
	return func() error { fs.End(); return <-done }
}

func TestToolDeclaredBeforeConnectAndRunWhileConversationGoesOn(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	release := make(chan struct{})
	weather := fd.Tool{
		Name:        "get_weather",
		Description: "Current weather in a city",
		Parameters:  map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
		Handler: func(ctx context.Context, args map[string]any) (any, error) {
			<-release
			return map[string]any{"city": args["city"], "sky": "clear"}, nil
		},
	}
	var rec fullduplextest.Recorder
	stop := runTools(t, fs, &rec, weather)
	require.NoError(t, fs.WaitConnected(ctx))
	require.Len(t, fs.Tools(), 1, "tools are declared before Connect")
	assert.Equal(t, "get_weather", fs.Tools()[0].Name)

	fs.EmitToolCall("call-1", "get_weather", map[string]any{"city": "Paris"})
	fs.EmitText("let me check")
	// The text arrives while the handler is still blocked.
	require.Eventually(t, func() bool { return rec.Text() == "let me check" }, testTimeout, tick)
	assert.Empty(t, fs.ToolResults())
	close(release)
	res, err := fs.WaitToolResult(ctx, "call-1")
	require.NoError(t, err)
	assert.Equal(t, fd.ToolResult{ID: "call-1", Name: "get_weather", Output: map[string]any{"city": "Paris", "sky": "clear"}}, res)
	require.NoError(t, stop())
	assert.Contains(t, rec.Events(), fd.EventToolCall, "the call is delivered to the sink as well")
}

func TestToolCallsRunConcurrently(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	const n = 4
	arrived := make(chan struct{}, n)
	release := make(chan struct{})
	slow := fd.Tool{Name: "slow", Handler: func(ctx context.Context, _ map[string]any) (any, error) {
		arrived <- struct{}{}
		<-release
		return "done", nil
	}}
	stop := runTools(t, fs, nil, slow)
	for i := range n {
		fs.EmitToolCall(string(rune('a'+i)), "slow", nil)
	}
	for range n {
		<-arrived // all n handlers are running at the same time
	}
	close(release)
	for i := range n {
		res, err := fs.WaitToolResult(ctx, string(rune('a'+i)))
		require.NoError(t, err)
		assert.Equal(t, "done", res.Output)
	}
	require.NoError(t, stop())
}

func TestToolCancelledByModel(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	started := make(chan struct{})
	cancelled := make(chan error, 1)
	wait := fd.Tool{Name: "wait", Handler: func(ctx context.Context, _ map[string]any) (any, error) {
		close(started)
		<-ctx.Done()
		cancelled <- ctx.Err()
		return nil, ctx.Err()
	}}
	quick := fd.Tool{Name: "quick", Handler: func(context.Context, map[string]any) (any, error) { return 1, nil }}
	stop := runTools(t, fs, nil, wait, quick)
	fs.EmitToolCall("w1", "wait", nil)
	<-started
	fs.EmitEvent(fd.EventToolCancel, []string{"w1", "unknown-id"})
	require.ErrorIs(t, <-cancelled, context.Canceled)
	fs.EmitToolCall("q1", "quick", nil)
	_, err := fs.WaitToolResult(ctx, "q1")
	require.NoError(t, err)
	require.NoError(t, stop())
	for _, r := range fs.ToolResults() {
		assert.NotEqual(t, "w1", r.ID, "a cancelled call gets no result")
	}
}

func TestToolFailuresBecomeErrorResults(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	failing := fd.Tool{Name: "failing", Handler: func(context.Context, map[string]any) (any, error) {
		return nil, errors.New("city not found")
	}}
	panicking := fd.Tool{Name: "panicking", Handler: func(context.Context, map[string]any) (any, error) {
		var m map[string]int
		m["x"] = 1 // nil map write
		return nil, nil
	}}
	var rec fullduplextest.Recorder
	stop := runTools(t, fs, &rec, failing, panicking)
	fs.EmitToolCall("f", "failing", nil)
	fs.EmitToolCall("p", "panicking", nil)
	fs.EmitToolCall("u", "no_such_tool", nil)

	res, err := fs.WaitToolResult(ctx, "f")
	require.NoError(t, err)
	assert.Equal(t, "city not found", res.Error)
	assert.Nil(t, res.Output)
	res, err = fs.WaitToolResult(ctx, "p")
	require.NoError(t, err)
	assert.Equal(t, `tool "panicking" failed: internal error`, res.Error, "no stack trace or panic value goes to the model")
	res, err = fs.WaitToolResult(ctx, "u")
	require.NoError(t, err)
	assert.Equal(t, `unknown tool "no_such_tool"`, res.Error)
	require.NoError(t, stop(), "failing tools never end the session")

	var errs []string
	for _, it := range rec.Items() {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventError {
			errs = append(errs, ev.Data.(error).Error())
		}
	}
	require.Len(t, errs, 3)
	assert.Contains(t, errs, `fullduplex: tool "failing": city not found`)
}

func TestToolCallsPassThroughWithoutTools(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	var rec fullduplextest.Recorder
	stop := runTools(t, fs, &rec)
	fs.EmitToolCall("c", "anything", nil)
	require.NoError(t, stop())
	assert.Equal(t, []fd.EventType{fd.EventToolCall}, rec.Events(), "the application answers it itself")
	assert.Empty(t, fs.ToolResults())
}

// plainStream is a DuplexStream that cannot send tool results.
type plainStream struct{ fd.DuplexStream }

func TestToolsNeedAToolResponder(t *testing.T) {
	sess := fd.NewDuplexSession(plainStream{fullduplextest.NewFakeStream()})
	require.NoError(t, sess.AddTool(fd.Tool{Name: "x", Handler: func(context.Context, map[string]any) (any, error) { return nil, nil }}))
	err := sess.RunDuplex(testCtx(t), nil, nil)
	assert.ErrorContains(t, err, "cannot send tool results")
}

// A call that reuses the ID of a call still running is refused with an
// error result; the running one goes on and is answered. Neither is lost.
func TestToolCallWithRepeatedIDIsAnswered(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	arrived := make(chan struct{}, 2)
	release := make(chan struct{})
	slow := fd.Tool{Name: "slow", Handler: func(ctx context.Context, args map[string]any) (any, error) {
		arrived <- struct{}{}
		<-release
		return args["n"], nil
	}}
	stop := runTools(t, fs, nil, slow)
	fs.EmitToolCall("dup", "slow", map[string]any{"n": 1.0})
	<-arrived
	fs.EmitToolCall("dup", "slow", map[string]any{"n": 2.0})
	first, err := fs.WaitToolResult(ctx, "dup")
	require.NoError(t, err)
	assert.Contains(t, first.Error, "already in use", "the second call is refused while the first runs")
	close(release)
	require.NoError(t, fs.WaitResults(ctx, 2))
	res := fs.ToolResults()
	assert.Equal(t, 1.0, res[1].Output, "the first call is answered")
	assert.Empty(t, res[1].Error)
	assert.Len(t, arrived, 0, "the refused call never ran")

	// Once the first call has finished, its ID may be used again.
	fs.EmitToolCall("dup", "slow", map[string]any{"n": 3.0})
	<-arrived
	require.NoError(t, fs.WaitResults(ctx, 3))
	assert.Equal(t, 3.0, fs.ToolResults()[2].Output)
	require.NoError(t, stop())
}

// A tool's Scheduling travels with its results.
func TestToolSchedulingIsCopiedToResults(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	bg := fd.Tool{Name: "bg", NonBlocking: true, Scheduling: fd.SchedulingSilent,
		Handler: func(context.Context, map[string]any) (any, error) { return "ok", nil }}
	failing := fd.Tool{Name: "failing", NonBlocking: true, Scheduling: fd.SchedulingInterrupt,
		Handler: func(context.Context, map[string]any) (any, error) { return nil, errors.New("no") }}
	stop := runTools(t, fs, nil, bg, failing)
	fs.EmitToolCall("1", "bg", nil)
	fs.EmitToolCall("2", "failing", nil)
	r1, err := fs.WaitToolResult(ctx, "1")
	require.NoError(t, err)
	r2, err := fs.WaitToolResult(ctx, "2")
	require.NoError(t, err)
	assert.Equal(t, fd.SchedulingSilent, r1.Scheduling)
	assert.Equal(t, fd.SchedulingInterrupt, r2.Scheduling)
	assert.True(t, fs.Tools()[0].NonBlocking)
	require.NoError(t, stop())
}

// A flood of calls runs at most MaxToolCalls handlers at once, on as many
// goroutines, and every call is answered; a queued call cancelled by the
// model never runs.
func TestToolCallsAreBoundedAndAllAnswered(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	defer fs.Close()
	const calls, limit = 2000, 3
	var running, peak atomic.Int32
	release := make(chan struct{})
	var ran sync.Map
	slow := fd.Tool{Name: "slow", Handler: func(ctx context.Context, args map[string]any) (any, error) {
		n := running.Add(1)
		defer running.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		ran.Store(args["id"], true)
		<-release
		return args["id"], nil
	}}
	sess := fd.NewDuplexSession(fs)
	sess.MaxToolCalls = limit
	require.NoError(t, sess.AddTool(slow))
	running1, delivered := make(chan struct{}), make(chan struct{})
	seen := 0
	sess.OnEvent = func(context.Context, fd.StreamEvent) error {
		switch seen++; seen {
		case 1:
			close(running1) // the session's goroutines are all up
		case calls + 2:
			close(delivered)
		}
		return nil
	}
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, nil, nil) }()
	fs.EmitEvent(fd.EventMetadata, "before the flood")
	<-running1
	before := runtime.NumGoroutine()
	for i := range calls {
		id := fmt.Sprint(i)
		fs.EmitToolCall(id, "slow", map[string]any{"id": id})
	}
	cancelled := fmt.Sprint(calls - 1) // still queued when the cancel comes
	fs.EmitEvent(fd.EventToolCancel, []string{cancelled})
	<-delivered // the session has taken in every call and the cancel
	// limit workers, plus at most the session's interrupt forwarder, which
	// RunDuplex may start after the first event was delivered (a handler
	// per call, as before the bound, would be thousands).
	assert.LessOrEqual(t, runtime.NumGoroutine()-before, limit+1, "goroutines stay bounded by the limit")
	close(release)
	require.NoError(t, fs.WaitResults(ctx, calls-1))
	answered := map[any]bool{}
	for _, r := range fs.ToolResults() {
		assert.Equal(t, r.ID, r.Output)
		answered[r.Output] = true
	}
	assert.Len(t, answered, calls-1, "every call but the cancelled one is answered, once")
	assert.False(t, answered[cancelled])
	_, didRun := ran.Load(cancelled)
	assert.False(t, didRun, "the cancelled call never ran")
	assert.Equal(t, int32(limit), peak.Load(), "handlers at once")
	fs.End()
	require.NoError(t, <-done)
}
