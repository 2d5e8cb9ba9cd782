package openai

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/downlink"
)

// A Stream is a fullduplex.DuplexStream over the OpenAI Realtime API (GA
// protocol, WebSocket), which may span several sessions: the service ends
// a session after 60 minutes, and the stream moves on to a new one, given
// the conversation so far, before that (see Config.SessionCap) and after an
// unexpected close.
//
// Every method is safe for concurrent use; Close may be called from any
// goroutine at any time and unblocks every pending call.
type Stream struct {
	cfg    Config             // resolved; immutable
	ctx    context.Context    // cancelled by Close: the one "closed" fact
	cancel context.CancelFunc // immutable

	connectSem chan struct{} // one token: serializes Connect
	sendSem    chan struct{} // one token: orders Send's conversion and queueing
	started    atomic.Bool   // Connect succeeded

	playback atomic.Pointer[reporter] // the PlaybackReporter of the run, if any

	mu sync.Mutex // guards every field below it
	// tools are set by DeclareTools before Connect.
	tools []fullduplex.Tool
	cur   *conn // the connection in use; nil while reconnecting
	t     turns // the turn state (see turns.go)
	log   convLog
	q     sendQueue // client events waiting for the writer (see queue.go)
	up    uplink    // input conversion state (see send.go)

	items  chan fullduplex.StreamItem
	out    *downlink.Outlet // every producer's way into items
	ended  chan struct{}    // closed by the supervisor when the stream is over
	endErr error            // written before ended is closed; read only after

	wg        sync.WaitGroup // supervisor, readers, writers
	closeOnce sync.Once
}

type reporter struct{ p fullduplex.PlaybackReporter }

var (
	_ fullduplex.DuplexStream      = (*Stream)(nil)
	_ fullduplex.SendCloser        = (*Stream)(nil)
	_ fullduplex.OutputInterrupter = (*Stream)(nil)
	_ fullduplex.ToolDeclarer      = (*Stream)(nil)
	_ fullduplex.ToolResponder     = (*Stream)(nil)
	_ fullduplex.PlaybackUser      = (*Stream)(nil)
)

// NewStream returns an unconnected Stream. It does not check cfg: Connect
// does, before dialing.
func NewStream(cfg Config) *Stream {
	ctx, cancel := context.WithCancel(context.Background())
	rc := cfg.resolved()
	s := &Stream{
		cfg:        rc,
		ctx:        ctx,
		cancel:     cancel,
		connectSem: make(chan struct{}, 1),
		sendSem:    make(chan struct{}, 1),
		items:      make(chan fullduplex.StreamItem, rc.ReceiveBuffer),
		ended:      make(chan struct{}),
		t:          newTurns(),
		q:          newSendQueue(rc.SendBuffer),
	}
	s.log.max = rc.ReseedItems
	s.out = downlink.NewOutlet(s.items, ctx.Done())
	return s
}

// DeclareTools sets the functions the model may call, in addition to
// Config.Tools. It must be called before Connect.
func (s *Stream) DeclareTools(tools []fullduplex.Tool) error {
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	for _, t := range tools {
		if t.Name == "" {
			return fmt.Errorf("openai: a tool has no name")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started.Load() {
		return fmt.Errorf("openai: DeclareTools after Connect: the tools are part of the session's setup")
	}
	s.tools = append([]fullduplex.Tool(nil), tools...)
	return nil
}

// UsePlayback makes the stream truncate a cut answer to what p reports as
// played (fullduplex.PlaybackUser); nil means everything received counts as
// heard. DuplexSession.RunDuplex calls it with its receiver's reporter.
func (s *Stream) UsePlayback(p fullduplex.PlaybackReporter) {
	if p == nil {
		s.playback.Store(nil)
		return
	}
	s.playback.Store(&reporter{p})
}

// played returns how much of turn the listener heard, and whether a
// reporter says so.
func (s *Stream) played(turn int) (time.Duration, bool) {
	r := s.playback.Load()
	if r == nil {
		return 0, false
	}
	return r.p.Played(turn), true
}

// Connect checks the configuration, dials the service, waits for
// session.created, configures the session with session.update and waits
// for session.updated, all within ctx. A bad Config is refused with an error
// wrapping ErrInvalidConfig before dialing; a setting the service refuses
// comes back as a *ServerError. Connect on a connected stream does nothing.
// The first item Receive returns is a fullduplex.EventConnected whose Data
// is a SessionInfo.
func (s *Stream) Connect(ctx context.Context) error {
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	select {
	case s.connectSem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	case <-s.ctx.Done():
		return fullduplex.ErrClosed
	}
	defer func() { <-s.connectSem }()
	if s.started.Load() {
		select {
		case <-s.ended:
			return fmt.Errorf("openai: stream ended: %w", s.endErr)
		default:
			return nil
		}
	}
	if err := s.cfg.validate(); err != nil {
		return err
	}
	s.mu.Lock()
	tools := s.tools
	s.mu.Unlock()
	if _, err := sessionObject(s.cfg, tools); err != nil {
		return err
	}
	if err := s.up.init(s.cfg); err != nil {
		return err
	}
	ws, info, err := s.handshake(ctx, nil)
	if err != nil {
		return err
	}
	s.items <- fullduplex.NewEvent(fullduplex.EventConnected, info)
	c := newConn(ws, info, s.cfg.InputFormat.rate())
	s.started.Store(true)
	if !s.goTracked(func() { s.supervise(c) }) {
		_ = ws.Close()
		return fullduplex.ErrClosed
	}
	return nil
}

// SessionInfo is the Data of fullduplex.EventConnected and, in
// ReconnectInfo, of fullduplex.EventReconnect: the service's session. A
// plain value, safe to share.
type SessionInfo struct {
	ID    string // e.g. "sess_..."
	Model string
}

// ReconnectInfo is the Data of fullduplex.EventReconnect: the stream went
// on in a new session, given the conversation so far. A plain value.
type ReconnectInfo struct {
	Session SessionInfo
	// Reason is "session cap" for a planned move (Config.SessionCap) and
	// the error that broke the old connection otherwise.
	Reason string
	// Attempts is how many dials it took.
	Attempts int
	// Began is when the move began: the old connection found broken, or
	// the planned move started.
	Began time.Time
}

// ReconnectBegan returns Began: ReconnectInfo is a
// fullduplex.ReconnectReport.
func (r ReconnectInfo) ReconnectBegan() time.Time { return r.Began }

// Connected reports whether the stream is connected: true from a successful
// Connect until the stream ends or Close, including while it reconnects.
func (s *Stream) Connected() bool {
	return s.started.Load() && s.ctx.Err() == nil && !downlink.IsDone(s.ended)
}

// Receive returns the next symbol or event, in the turn grammar of
// fullduplex.DuplexStream (see the package documentation for what each
// server event becomes). It returns io.EOF after CloseSend once the last
// answer has ended, fullduplex.ErrClosed after Close,
// fullduplex.ErrNotConnected before Connect, and the error that ended the
// stream otherwise. Cancelling ctx abandons this call only.
func (s *Stream) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	if s.ctx.Err() != nil {
		return nil, fullduplex.ErrClosed
	}
	if !s.started.Load() {
		return nil, fullduplex.ErrNotConnected
	}
	return downlink.Receive(ctx, s.items, s.ctx.Done(), s.ended, func() error { return s.endErr })
}

// Close ends the stream: it closes the connection, which unblocks every
// pending call (they return fullduplex.ErrClosed), and waits for the
// stream's goroutines, at most downlink.CloseWait (800 ms), so it returns
// within the contract's one second. It is idempotent and returns nil.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.cancel()
		c := s.cur
		s.q.wakeAll()
		s.mu.Unlock()
		if c != nil {
			_ = c.ws.Close()
		}
	})
	downlink.WaitAtMost(&s.wg, downlink.CloseWait)
	return nil
}

// goTracked runs f on a goroutine that Close waits for, unless the stream
// is closed. Close cancels s.ctx under s.mu, so none is added once it waits.
func (s *Stream) goTracked(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// usable returns why the stream cannot take input now, or nil.
func (s *Stream) usable() error {
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	if !s.started.Load() {
		return fullduplex.ErrNotConnected
	}
	select {
	case <-s.ended:
		if s.endErr == io.EOF {
			return fmt.Errorf("openai: the stream ended after CloseSend: %w", ErrInputClosed)
		}
		return fmt.Errorf("openai: stream ended: %w", s.endErr)
	default:
		return nil
	}
}
