package gemini

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/downlink"
	"github.com/fullduplex-go/fullduplex/internal/redact"
	"google.golang.org/genai"
)

// A Stream is a fullduplex.DuplexStream over one Gemini Live session, which
// may span several websocket connections (see ReconnectInfo).
//
// Every method is safe for concurrent use; Close may be called from any
// goroutine at any time and unblocks every pending call.
type Stream struct {
	cfg    Config             // immutable
	ctx    context.Context    // immutable; cancelled by Close: the one "closed" fact
	cancel context.CancelFunc // immutable

	connectSem chan struct{} // one token: serializes Connect

	// rc and client are written by Connect (holding connectSem) before it
	// sets started, and never again: every other reader runs after it has
	// seen started (or on a goroutine Connect started), so they are
	// immutable for it.
	rc     Config // resolved config
	client *genai.Client
	// started is set once Connect succeeded: the one "connected" fact
	// besides ctx (closed) and ended (over).
	started atomic.Bool

	mu     sync.Mutex        // guards the fields below it
	tools  []fullduplex.Tool // set by DeclareTools before Connect
	cur    *conn             // the connection being read
	handle string            // latest resumption handle
	resume bool              // the latest resumption update was resumable
	tokens []string          // Vertex AI bearer tokens dialed with (the last maxTokens), for redaction

	items  chan fullduplex.StreamItem
	ended  chan struct{} // closed by the supervisor when the session is over
	endErr error         // written by the supervisor before it closes ended; read only after

	mapper   mapper                   // owned by the one reader goroutine running at a time
	playback atomic.Pointer[reporter] // the PlaybackReporter of the run, if any

	send  sender // its fields are guarded by send.sem
	turns ledger // its fields are guarded by turns.mu

	wg        sync.WaitGroup // supervisor, readers, dial goroutines
	closeOnce sync.Once
}

var (
	_ fullduplex.DuplexStream      = (*Stream)(nil)
	_ fullduplex.ToolDeclarer      = (*Stream)(nil)
	_ fullduplex.ToolResponder     = (*Stream)(nil)
	_ fullduplex.OutputInterrupter = (*Stream)(nil)
	_ fullduplex.SendCloser        = (*Stream)(nil)
)

// NewStream returns an unconnected Stream. It does not check cfg: Connect
// does, before dialing.
func NewStream(cfg Config) *Stream {
	ctx, cancel := context.WithCancel(context.Background())
	rc := cfg.resolved()
	return &Stream{
		cfg:        cfg,
		ctx:        ctx,
		cancel:     cancel,
		connectSem: make(chan struct{}, 1),
		items:      make(chan fullduplex.StreamItem, rc.ReceiveBuffer),
		ended:      make(chan struct{}),
		send:       sender{sem: make(chan struct{}, 1)},
		turns:      newLedger(),
	}
}

// DeclareTools sets the functions the model may call, in addition to
// Config.Tools. It must be called before Connect.
func (s *Stream) DeclareTools(tools []fullduplex.Tool) error {
	if err := checkTools(tools); err != nil {
		return err
	}
	if s.ctx.Err() != nil {
		return fullduplex.ErrClosed
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started.Load() {
		return fmt.Errorf("gemini: DeclareTools after Connect: the tools are part of the session's setup")
	}
	s.tools = append([]fullduplex.Tool(nil), tools...)
	return nil
}

// Connect checks the configuration, dials the service and waits for the
// setup to complete, within ctx. It returns an error wrapping
// ErrInvalidConfig, without dialing, for a bad Config. Connect on a connected
// stream does nothing. The first item Receive returns is a
// fullduplex.EventConnected whose Data is the *genai.LiveServerSetupComplete.
//
// If ctx ends first, Connect returns ctx's error; a connection the SDK
// completes later is closed at once. (The SDK offers no way to abort its
// handshake, so a server that never answers setup keeps one goroutine
// blocked until it closes the socket; Close does not wait for it longer than
// downlink.CloseWait, 800 ms.)
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
			return fmt.Errorf("gemini: stream ended: %w", s.endErr)
		default:
			return nil
		}
	}
	rc := s.cfg.resolved()
	if err := rc.validate(); err != nil {
		return err
	}
	client, err := genai.NewClient(ctx, rc.clientConfig())
	if err != nil {
		return redact.Error(fmt.Errorf("gemini: %w", err), rc.APIKey)
	}
	s.rc, s.client = rc, client
	s.mu.Lock()
	s.handle = rc.ResumeHandle
	s.resume = rc.ResumeHandle != ""
	s.mu.Unlock()
	s.send.maxAudio = 2 * rc.InputSampleRate // one second of 16-bit mono

	sess, err := s.dial(ctx)
	if err != nil {
		return err
	}
	s.items <- event(fullduplex.EventConnected, sess.SetupComplete, time.Now())
	c := s.startConn(sess)
	s.install(sess, false)
	s.started.Store(true)
	if !s.goTracked(func() { s.supervise(c) }) {
		_ = sess.Close()
		return fullduplex.ErrClosed
	}
	return nil
}

// Connected reports whether the stream is connected: true from a successful
// Connect until the session ends or Close, including while it reconnects.
func (s *Stream) Connected() bool {
	return s.started.Load() && s.ctx.Err() == nil && !downlink.IsDone(s.ended)
}

// Receive returns the next symbol or event. It returns io.EOF after the
// service ended the session cleanly, fullduplex.ErrClosed after Close,
// fullduplex.ErrNotConnected before Connect, and the error that ended the
// session otherwise (a *CloseError, or ErrReconnectFailed). Cancelling ctx
// abandons this call only.
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
// pending Send and Receive (they return fullduplex.ErrClosed), and waits for
// the stream's goroutines, at most downlink.CloseWait (800 ms), so that Close
// returns within one second even while a goroutine is stuck in the SDK's
// dial (which nothing can abort: it ends when the server lets go of the
// socket). It is idempotent and always returns nil. The SDK sends no close
// frame; the service sees the socket end.
func (s *Stream) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.cancel()
		c := s.cur
		s.mu.Unlock()
		if c != nil {
			_ = c.sess.Close()
		}
	})
	downlink.WaitAtMost(&s.wg, downlink.CloseWait)
	return nil
}

// push hands an item to Receive; it returns false when the stream is closed.
func (s *Stream) push(it fullduplex.StreamItem) bool {
	select {
	case s.items <- it:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// dial opens one connection within ctx, resuming from the latest handle.
func (s *Stream) dial(ctx context.Context) (*genai.Session, error) {
	rc, client := s.rc, s.client
	s.mu.Lock()
	handle := ""
	if !rc.DisableResumption {
		handle = s.handle
	}
	lc := liveConfig(rc, s.tools, handle)
	s.mu.Unlock()

	if rc.VertexAI {
		s.noteToken(ctx, client)
	}
	type result struct {
		sess *genai.Session
		err  error
	}
	ch := make(chan result)
	abandon := make(chan struct{})
	started := s.goTracked(func() {
		// The SDK ignores ctx here: it dials without a deadline and waits
		// for setupComplete forever. Whoever gave up closes what comes late.
		sess, err := client.Live.Connect(ctx, rc.Model, lc)
		select {
		case ch <- result{sess, err}:
		case <-abandon:
			if sess != nil {
				_ = sess.Close()
			}
		}
	})
	if !started {
		return nil, fullduplex.ErrClosed
	}
	select {
	case r := <-ch:
		if r.err != nil {
			return nil, connectError(r.err, s.secrets())
		}
		return r.sess, nil
	case <-ctx.Done():
		close(abandon)
		return nil, fmt.Errorf("gemini: connect: %w", ctx.Err())
	case <-s.ctx.Done():
		close(abandon)
		return nil, fullduplex.ErrClosed
	case <-s.turns.finish: // CloseSend made the connection pointless
		close(abandon)
		return nil, errFinished
	}
}

// connectError describes a failed dial or setup, without the secrets.
func connectError(err error, secrets []string) error {
	if outcome, ce := classifyRead(err, secrets); outcome == readFatal || outcome == readCleanEnd {
		if outcome == readCleanEnd {
			ce = &CloseError{Code: 1000, Reason: "closed during setup"}
		}
		return fmt.Errorf("gemini: connect: %w", ce)
	}
	return redact.Error(fmt.Errorf("gemini: connect: %w", err), secrets...)
}

// secrets returns what must never appear in an error or event: the API key
// and the Vertex AI bearer tokens the stream has dialed with.
func (s *Stream) secrets() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string{s.rc.APIKey}, s.tokens...)
}

// maxTokens bounds the bearer tokens remembered for redaction.
const maxTokens = 4

// noteToken learns the bearer token the SDK is about to dial with (Vertex
// AI), so that no error quoting it leaves the package. The credentials
// cache their token, so this is the value the SDK sends.
func (s *Stream) noteToken(ctx context.Context, client *genai.Client) {
	creds := client.ClientConfig().Credentials
	if creds == nil {
		return
	}
	tok, err := creds.Token(ctx)
	if err != nil || tok == nil || tok.Value == "" {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if slices.Contains(s.tokens, tok.Value) {
		return
	}
	s.tokens = append(s.tokens, tok.Value)
	if len(s.tokens) > maxTokens {
		s.tokens = s.tokens[len(s.tokens)-maxTokens:]
	}
}
