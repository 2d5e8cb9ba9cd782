package realtimetest

import (
	"context"
	"errors"
	"iter"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
)

// A Script is one scripted answer: Parts in order, then an EventUsage with
// Usage if it is set, then Err if it is set, then, with Hang, a wait until
// the call is cancelled. Block, when set, is waited for (or the call's
// cancellation) before the first part.
type Script struct {
	Parts []fullduplex.Symbol
	Usage *fullduplex.Usage
	Err   error
	Hang  bool
	Block <-chan struct{}
}

// Model is a scripted realtime.TurnModel. The zero value is not usable;
// call NewModel.
//
// All methods are safe for concurrent use: the Stream calls Generate while
// the test scripts answers and inspects prompts.
type Model struct {
	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change, for waiters
	scripts []Script
	prompts [][]realtime.Turn
	ended   int // calls that have returned
}

var _ realtime.TurnModel = (*Model)(nil)

// NewModel returns a Model with no answers scripted: it echoes.
func NewModel() *Model { return &Model{changed: make(chan struct{})} }

// Script queues an answer for the next call that has none.
func (m *Model) Script(s Script) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.scripts = append(m.scripts, s)
}

// Reply queues an answer made of text fragments.
func (m *Model) Reply(fragments ...string) { m.Script(Script{Parts: texts(fragments)}) }

// ReplyAndHang queues an answer that streams fragments and then waits to be
// cut off, like a model in the middle of a long answer.
func (m *Model) ReplyAndHang(fragments ...string) {
	m.Script(Script{Parts: texts(fragments), Hang: true})
}

// Fail queues an answer that fails with err.
func (m *Model) Fail(err error) { m.Script(Script{Err: err}) }

func texts(fragments []string) []fullduplex.Symbol {
	parts := make([]fullduplex.Symbol, len(fragments))
	for i, f := range fragments {
		parts[i] = fullduplex.TextSymbol(f)
	}
	return parts
}

// Generate records prompt and plays the next script, or echoes the last
// user text when none is queued.
func (m *Model) Generate(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fullduplex.StreamItem, error] {
	m.mu.Lock()
	m.prompts = append(m.prompts, prompt)
	var sc Script
	if len(m.scripts) > 0 {
		sc, m.scripts = m.scripts[0], m.scripts[1:]
	} else {
		sc = Script{Parts: texts([]string{Echo(prompt)})}
	}
	m.broadcastLocked()
	m.mu.Unlock()
	return func(yield func(fullduplex.StreamItem, error) bool) {
		defer m.callEnded()
		if sc.Block != nil {
			select {
			case <-sc.Block:
			case <-ctx.Done():
				yield(nil, ctx.Err())
				return
			}
		}
		for _, p := range sc.Parts {
			if ctx.Err() != nil {
				yield(nil, ctx.Err())
				return
			}
			if !yield(p, nil) {
				return
			}
		}
		if sc.Usage != nil && !yield(fullduplex.NewEvent(fullduplex.EventUsage, *sc.Usage), nil) {
			return
		}
		if sc.Err != nil {
			yield(nil, sc.Err)
			return
		}
		if sc.Hang {
			<-ctx.Done()
			yield(nil, ctx.Err())
		}
	}
}

// Echo is the answer of a Model with nothing scripted: "You said: " and
// the text of the last user turn.
func Echo(prompt []realtime.Turn) string {
	if len(prompt) == 0 {
		return "You said nothing."
	}
	return "You said: " + prompt[len(prompt)-1].Text()
}

func (m *Model) callEnded() {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ended++
	m.broadcastLocked()
}

func (m *Model) broadcastLocked() {
	close(m.changed)
	m.changed = make(chan struct{})
}

// Prompts returns the prompts of every call so far, in order.
func (m *Model) Prompts() [][]realtime.Turn {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([][]realtime.Turn(nil), m.prompts...)
}

// Calls returns how many calls have started.
func (m *Model) Calls() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.prompts)
}

// WaitCalls waits until n calls have started and returns their prompts.
func (m *Model) WaitCalls(ctx context.Context, n int) ([][]realtime.Turn, error) {
	err := m.waitFor(ctx, func() bool { return len(m.prompts) >= n })
	if err != nil {
		return nil, err
	}
	return m.Prompts(), nil
}

// WaitEnded waits until n calls have returned (finished, failed or were
// cancelled).
func (m *Model) WaitEnded(ctx context.Context, n int) error {
	return m.waitFor(ctx, func() bool { return m.ended >= n })
}

func (m *Model) waitFor(ctx context.Context, cond func() bool) error {
	for {
		m.mu.Lock()
		ok, ch := cond(), m.changed
		m.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return errors.Join(errors.New("realtimetest: wait"), ctx.Err())
		}
	}
}
