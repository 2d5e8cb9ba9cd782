package realtime

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/fullduplex-go/fullduplex"
)

// A Stream is a fullduplex.DuplexStream over a TurnModel: it keeps the
// rolling prompt, decides when the user's turn is complete, calls the model
// and streams its answer back (see the package documentation).
//
// Every method is safe for concurrent use; Close may be called from any
// goroutine at any time, cancels the running model call and waits for it.
type Stream struct {
	model  TurnModel
	cfg    Config
	cfgErr error

	base   context.Context // parent of every model call; cancelled by Close
	cancel context.CancelFunc
	wg     sync.WaitGroup // running model calls

	playback atomic.Pointer[reporter] // the PlaybackReporter of the run, if any

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced on every change, for waiters
	connected   bool
	closed      bool
	inputClosed bool
	hist        history
	held        []fullduplex.Symbol   // input of the user turn in progress that arrived during a model call
	waiting     [][]fullduplex.Symbol // complete user turns typed ahead of the answer in progress, oldest first
	userNew     bool                  // the user turn in progress has content (in hist, or in held during a call)
	listen      listener
	queue       []queued // output waiting for Receive
	call        *call    // the answer in progress, nil when idle
	turns       int      // model calls started
}

var (
	_ fullduplex.DuplexStream      = (*Stream)(nil)
	_ fullduplex.SendCloser        = (*Stream)(nil)
	_ fullduplex.OutputInterrupter = (*Stream)(nil)
	_ fullduplex.PlaybackUser      = (*Stream)(nil)
)

// A queued item waits for Receive; turn is the model call it belongs to,
// or 0 for items outside any answer.
type queued struct {
	item fullduplex.StreamItem
	turn int
}

// A call is one model call and the answer it produces. An answer lasts
// until Receive returns its EventStreamEnd or it is interrupted. turn and
// cancel never change; said is guarded by the Stream's mutex.
type call struct {
	turn   int
	cancel context.CancelFunc
	said   bool // Receive has returned a symbol of the answer: it is under way
}

// NewStream returns a Stream over model, configured by cfg. It is not
// connected yet; an invalid cfg is reported by Connect.
func NewStream(model TurnModel, cfg Config) *Stream {
	c, err := cfg.withDefaults()
	if err == nil && model == nil {
		err = errors.New("realtime: NewStream got a nil TurnModel")
	}
	base, cancel := context.WithCancel(context.Background())
	return &Stream{
		model:   model,
		cfg:     c,
		cfgErr:  err,
		base:    base,
		cancel:  cancel,
		changed: make(chan struct{}),
		listen:  listener{cfg: c},
	}
}

// Connect makes the stream ready and queues fullduplex.EventConnected as
// the first item; there is no network handshake, since each model call is
// its own request. Connect on a connected stream does nothing.
func (s *Stream) Connect(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return fullduplex.ErrClosed
	case s.cfgErr != nil:
		return s.cfgErr
	case s.connected:
		return nil
	}
	s.connected = true
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventConnected, Timestamp: s.cfg.Now()}, 0)
	return nil
}

// Connected reports whether Connect succeeded and Close was not called.
func (s *Stream) Connected() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.connected
}

// Close cancels the running model call, waits for it to return, and makes
// every pending and later call return fullduplex.ErrClosed. It is
// idempotent. It returns as soon as the model call honours its cancelled
// context, which every TurnModel must do promptly.
func (s *Stream) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed, s.connected = true, false
	s.cancel()
	s.call, s.queue, s.held, s.waiting = nil, nil, nil, nil
	s.broadcastLocked()
	s.mu.Unlock()
	s.wg.Wait()
	return nil
}

// CloseSend ends the input for good (fullduplex.SendCloser): the user turn
// in progress, if it has content, is complete; every turn not answered yet
// is answered, in order, without cutting off the answer in progress; and
// once the last answer's terminator has been received, Receive returns
// io.EOF. Send then fails with ErrInputClosed; SendEnd does nothing. It is
// idempotent. fullduplex.DuplexSession calls it when its Source ends, so
// RunDuplex returns nil after the last answer.
func (s *Stream) CloseSend(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.usableLocked(); err != nil {
		return err
	}
	if s.inputClosed {
		return nil
	}
	s.inputClosed = true
	s.triggerLocked(false)
	s.broadcastLocked()
	return nil
}

// History returns the conversation as the next model call would see it
// before the window is cut: user and model turns, oldest first. Input held
// aside during an answer, and turns typed ahead of it, are not in it yet.
func (s *Stream) History() []Turn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hist.prompt()
}

// usableLocked returns the error of a call on a closed or unconnected stream.
func (s *Stream) usableLocked() error {
	switch {
	case s.closed:
		return fullduplex.ErrClosed
	case !s.connected:
		return fullduplex.ErrNotConnected
	}
	return nil
}

// broadcastLocked wakes every waiter.
func (s *Stream) broadcastLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// enqueueLocked queues an item for Receive.
func (s *Stream) enqueueLocked(item fullduplex.StreamItem, turn int) {
	s.queue = append(s.queue, queued{item: item, turn: turn})
	s.broadcastLocked()
}

// errorLocked queues an EventError.
func (s *Stream) errorLocked(err error, turn int) {
	s.enqueueLocked(fullduplex.StreamEvent{Type: fullduplex.EventError, Data: err, Timestamp: s.cfg.Now()}, turn)
}
