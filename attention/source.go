package attention

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/fullduplex-go/fullduplex"
)

// A Source is a fullduplex.Source that attends over several Inputs: Next
// returns the symbols of the inputs holding the floor (and of ambient
// inputs), labelled with their input's name, within the Budget.
//
// Run reads the inputs and must run while Next is called; Next is for one
// goroutine at a time, like every Source; Stats and Floor are safe from any
// goroutine.
type Source struct {
	cfg    Config
	inputs []Input

	box     *mailbox      // from the readers of Run to Next
	done    chan struct{} // closed when Run returns
	runErr  error         // Run's error; written before done is closed
	started atomic.Bool

	// Next's state, owned by the goroutine calling Next.
	st      []inputState
	got     []read // taken from box, handled up to gotAt
	gotAt   int
	out     symQueue // ready to be returned
	events  []fullduplex.StreamEvent
	preempt bool // a preemption happened in the current handle: call Control.Interrupt
	phrase  string
	mix     *mixer
	now     time.Time // the latest media time read

	mu      sync.Mutex // guards stats and holders
	stats   Stats
	holders []int // indexes of the inputs holding the floor, in the order they took it
}

// A read is what one of Run's readers got from its input, or a transcript
// of the input.
type read struct {
	i    int // the input
	slot int // the writer's slot in the mailbox
	sym  fullduplex.Symbol
	eof  bool
}

var _ fullduplex.Source = (*Source)(nil)

// New returns a Source over inputs, configured by cfg, or an error wrapping
// ErrConfig.
func New(cfg Config, inputs ...Input) (*Source, error) {
	c, err := cfg.withDefaults(inputs)
	if err != nil {
		return nil, err
	}
	a := &Source{
		cfg:    c,
		inputs: append([]Input(nil), inputs...),
		box:    newMailbox(2 * len(inputs)), // a reader and a transcriber per input
		done:   make(chan struct{}),
		st:     make([]inputState, len(inputs)),
		phrase: normalize(c.Selective.Phrase),
	}
	for i := range a.st {
		a.st[i].name = inputs[i].Name
	}
	if c.Divided.Mix {
		a.mix = newMixer(c.Divided.MixRate, c.Divided.Frame, c.Sustained.PreRoll, len(inputs))
	}
	return a, nil
}

// Run reads every input, each on its own goroutine, until all of them have
// ended (it returns nil), ctx is done (ctx's error) or one fails (its error,
// wrapped; the others are then stopped). Every goroutine it started has
// finished when it returns. Run runs once per Source.
func (a *Source) Run(ctx context.Context) error {
	if !a.started.CompareAndSwap(false, true) {
		return errors.New("attention: Run called twice")
	}
	g, gctx := errgroup.WithContext(ctx)
	for i, in := range a.inputs {
		var tr *transcriber
		if in.Transcriber != nil {
			tr = &transcriber{s: in.Transcriber, done: make(chan struct{})}
			g.Go(func() error { return a.transcribe(gctx, i, in.Name, tr) })
		}
		g.Go(func() error { return a.readInput(gctx, i, in, tr) })
	}
	err := g.Wait()
	if ctx.Err() != nil {
		err = ctx.Err()
	}
	a.runErr = err
	close(a.done)
	return err
}

func (a *Source) readInput(ctx context.Context, i int, in Input, tr *transcriber) error {
	for {
		sym, err := in.Source.Next(ctx)
		eof := errors.Is(err, io.EOF)
		if err != nil && !eof {
			return fmt.Errorf("attention: input %q: %w", in.Name, err)
		}
		if tr != nil {
			if err := tr.hear(ctx, sym, eof); err != nil {
				return fmt.Errorf("attention: input %q: transcriber: %w", in.Name, err)
			}
		}
		if err := a.box.put(ctx, i, read{i: i, slot: i, sym: sym, eof: eof}); err != nil {
			return err
		}
		if eof {
			if inputEnded != nil {
				inputEnded(in.Source)
			}
			return nil
		}
	}
}

// inputEnded, when tests set it before any Run, is called with an input's
// Source once its end is on its way to Next: the one point after a read
// that a scripted source does not see by itself (it sees the others as
// its next Next call).
var inputEnded func(fullduplex.Source)

// Next returns the next symbol the Source attends to. It returns io.EOF
// once Run has returned nil and everything read has been returned, and
// Run's error once Run failed and everything read before has been returned.
// It waits for Run to start.
func (a *Source) Next(ctx context.Context) (fullduplex.Symbol, error) {
	for {
		if s, ok := a.out.pop(); ok {
			return s, nil
		}
		if a.gotAt < len(a.got) {
			a.gotAt++
			a.handle(a.got[a.gotAt-1])
			continue
		}
		if a.take() {
			continue
		}
		select {
		case <-a.box.wake:
			continue
		case <-ctx.Done():
			return fullduplex.Symbol{}, ctx.Err()
		case <-a.done:
		}
		// Run has returned: every reader has finished; take what is left.
		if a.take() {
			continue
		}
		if a.mix != nil && a.mix.pending() {
			a.mu.Lock()
			a.mixFrames(true)
			a.mu.Unlock()
			continue
		}
		if a.runErr != nil {
			return fullduplex.Symbol{}, a.runErr
		}
		return fullduplex.Symbol{}, io.EOF
	}
}

// take replaces the handled reads with the mailbox's batch; false when
// the batch was empty.
func (a *Source) take() bool {
	a.got, a.gotAt = a.box.take(a.got), 0
	return len(a.got) > 0
}

// Stats returns the counters so far.
func (a *Source) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.stats
}

// Floor returns the names of the inputs holding the floor now, in the order
// they took it.
func (a *Source) Floor() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.holderNamesLocked()
}

func (a *Source) holderNamesLocked() []string {
	names := make([]string, len(a.holders))
	for k, h := range a.holders {
		names[k] = a.inputs[h].Name
	}
	return names
}

// RunDuplex runs session over the Source: Run and session.RunDuplex(ctx, a,
// sink) together, until the session returns; Run is then stopped and
// waited for. When Control.Interrupt is nil, a preemption calls
// session.Interrupt. It returns the session's error (an input's failure
// reaches it through Next, wrapped).
func (a *Source) RunDuplex(ctx context.Context, session *fullduplex.DuplexSession, sink fullduplex.Sink) error {
	if a.cfg.Control.Interrupt == nil {
		a.cfg.Control.Interrupt = session.Interrupt
	}
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = a.Run(rctx)
	}()
	err := session.RunDuplex(ctx, a, sink)
	stop()
	wg.Wait()
	return err
}

// symQueue is a FIFO of symbols that reuses its storage.
type symQueue struct {
	buf  []fullduplex.Symbol
	head int
}

func (q *symQueue) push(s fullduplex.Symbol) { q.buf = append(q.buf, s) }

func (q *symQueue) pop() (fullduplex.Symbol, bool) {
	if q.head >= len(q.buf) {
		return fullduplex.Symbol{}, false
	}
	s := q.buf[q.head]
	q.buf[q.head] = fullduplex.Symbol{}
	q.head++
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	return s, true
}

func (q *symQueue) len() int { return len(q.buf) - q.head }
