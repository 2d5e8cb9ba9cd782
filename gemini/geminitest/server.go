package geminitest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// DefaultAPIKey is the key a server accepts when Options.APIKey is empty.
const DefaultAPIKey = "test-key"

// DefaultAccessToken is the OAuth bearer token a server accepts on the
// Vertex AI path when Options.AccessToken is empty.
const DefaultAccessToken = "test-token"

// Options configures a Server. The zero value is a server that accepts
// DefaultAPIKey, answers setup, and otherwise only does what the test tells it.
// NewServer copies it.
type Options struct {
	// APIKey is the key the server accepts, in the x-goog-api-key header, as
	// an ephemeral token ("Authorization: Token auth_tokens/..."), or in
	// the access_token query parameter. Default DefaultAPIKey.
	APIKey string
	// AccessToken is the OAuth token the server accepts on the Vertex AI
	// path (/ws/google.cloud.aiplatform.VERSION.LlmBidiService/BidiGenerateContent),
	// as "Authorization: Bearer TOKEN". Default DefaultAccessToken.
	AccessToken string
	// Echo makes the server play a model: see the package documentation and
	// Server.SetEcho.
	Echo bool
	// TextFrames makes the server send text frames; by default it sends
	// binary frames, like the service.
	TextFrames bool
	// NoResumptionUpdates stops the server from sending a
	// sessionResumptionUpdate with a fresh handle after setupComplete (and
	// after each echo turn) when the client asked for session resumption.
	NoResumptionUpdates bool
	// ReceiveBuffer sets the kernel receive buffer (SO_RCVBUF) of the
	// server's sockets, in bytes, on systems that have one: with a small
	// buffer and Conn.StopReadingAfter, a client's writes block as soon as its
	// own send buffer is full, like writes to a peer that stopped reading.
	// Default 0: the system's (which grows to megabytes on loopback).
	ReceiveBuffer int
	// DiscardMessages stops the server from recording client messages after
	// setup (for benchmarks that send millions); waits then see only setups.
	DiscardMessages bool
}

// A Server is a fake Gemini Live server on 127.0.0.1.
//
// Its methods are safe for concurrent use; a test typically drives the
// client in one goroutine and the server from another.
type Server struct {
	opts Options
	ln   net.Listener
	hs   *http.Server
	ctx  context.Context // cancelled by Close
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu          sync.Mutex
	conns       []*Conn
	changed     chan struct{} // closed and replaced when a connection or a message arrives
	echo        bool
	hang        bool
	release     chan struct{} // closed and replaced by HangSetup(false)
	refuse      int           // refuse this many more upgrades
	refuseCode  int
	requireHand bool
	closeSetups int // close this many more setups with closeCode and closeWhy
	closeCode   int
	closeWhy    string
	handles     map[string]bool
	live        map[*Conn]bool // every upgraded connection, for Close
	closeOnce   sync.Once
}

// NewServer starts a server on 127.0.0.1. Close it when done. Like
// httptest.NewServer, it panics if it cannot listen on loopback.
func NewServer(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	if opts.AccessToken == "" {
		opts.AccessToken = DefaultAccessToken
	}
	lc := net.ListenConfig{Control: receiveBuffer(opts.ReceiveBuffer)}
	ln, err := lc.Listen(context.Background(), "tcp", "127.0.0.1:0")
	if err != nil {
		panic(fmt.Sprintf("geminitest: listen on 127.0.0.1: %v", err))
	}
	ctx, stop := context.WithCancel(context.Background())
	s := &Server{
		opts: opts, ln: ln, ctx: ctx, stop: stop,
		changed: make(chan struct{}),
		release: make(chan struct{}),
		echo:    opts.Echo,
		handles: map[string]bool{},
	}
	s.hs = &http.Server{Handler: http.HandlerFunc(s.serveHTTP)}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = s.hs.Serve(ln)
	}()
	return s
}

// New is NewServer for a test: the server closes when tb's test ends.
func New(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := NewServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// URL returns the base URL for gemini.Config.BaseURL (or the SDK's
// HTTPOptions.BaseURL): "ws://127.0.0.1:PORT".
func (s *Server) URL() string { return "ws://" + s.ln.Addr().String() }

// APIKey returns the key the server accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// AccessToken returns the bearer token the server accepts on the Vertex AI
// path.
func (s *Server) AccessToken() string { return s.opts.AccessToken }

// Close drops every connection, stops listening, and waits for the server's
// goroutines.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.stop()
		s.mu.Unlock()
		_ = s.hs.Close()
		s.mu.Lock()
		live := make([]*Conn, 0, len(s.live))
		for c := range s.live {
			live = append(live, c)
		}
		s.mu.Unlock()
		for _, c := range live {
			c.Drop()
		}
	})
	s.wg.Wait()
}

// SetEcho turns the echo model on or off for messages received from now on.
// The echo model answers each spoken turn (audioStreamEnd or activityEnd)
// with the user's audio resampled to 24 kHz (in 40 ms chunks), an input
// transcription "[N ms of audio]", an output transcription
// "echo: [N ms of audio]" and turnComplete; and a text turn with
// "echo: TEXT" (as model text for TEXT responses, or as a 24 kHz tone plus an
// output transcription for AUDIO responses) and turnComplete.
func (s *Server) SetEcho(on bool) {
	s.mu.Lock()
	s.echo = on
	s.mu.Unlock()
}

// HangSetup(true) makes the server read the setup of new connections and
// not answer it, like a hung service; HangSetup(false) answers the setups
// held so far (and those to come).
func (s *Server) HangSetup(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.hang == on {
		return
	}
	s.hang = on
	if !on {
		close(s.release)
		s.release = make(chan struct{})
	}
}

// RefuseConnections makes the server answer the next n websocket upgrade
// requests with HTTP status code instead of upgrading.
func (s *Server) RefuseConnections(n, code int) {
	s.mu.Lock()
	s.refuse, s.refuseCode = n, code
	s.mu.Unlock()
}

// CloseSetups makes the server answer the next n setups (that carry a
// valid key) with a close frame of code and reason instead of
// setupComplete, like a service that refuses the session (1008) or fails
// (1011). The reason may say anything, the client's key included: a test of
// redaction can make the server quote it.
func (s *Server) CloseSetups(n, code int, reason string) {
	s.mu.Lock()
	s.closeSetups, s.closeCode, s.closeWhy = n, code, reason
	s.mu.Unlock()
}

// RequireResumeHandle makes every connection after the first need a
// resumption handle the server issued; a setup without one is closed with
// code 1008.
func (s *Server) RequireResumeHandle(on bool) {
	s.mu.Lock()
	s.requireHand = on
	s.mu.Unlock()
}

// Conns returns the connections so far (those that sent setup), oldest first.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Conn(nil), s.conns...)
}

// WaitConn waits until connection i (from 0) has sent its setup and returns it.
func (s *Server) WaitConn(ctx context.Context, i int) (*Conn, error) {
	for {
		s.mu.Lock()
		if i < len(s.conns) {
			c := s.conns[i]
			s.mu.Unlock()
			return c, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, fmt.Errorf("geminitest: waiting for connection %d: %w", i, ctx.Err())
		case <-s.ctx.Done():
			return nil, errors.New("geminitest: server closed")
		}
	}
}

// WaitFor waits for the first message on any connection (oldest connection
// first) that pred accepts.
func (s *Server) WaitFor(ctx context.Context, pred func(ClientMessage) bool) (ClientMessage, error) {
	ms, err := s.WaitCount(ctx, pred, 1)
	if err != nil {
		return ClientMessage{}, err
	}
	return ms[0], nil
}

// WaitCount waits until n messages over all connections satisfy pred and
// returns the first n.
func (s *Server) WaitCount(ctx context.Context, pred func(ClientMessage) bool, n int) ([]ClientMessage, error) {
	return s.waitMsgs(ctx, nil, pred, n)
}

// waitMsgs waits until n messages of c (of every connection when c is nil)
// satisfy pred.
func (s *Server) waitMsgs(ctx context.Context, c *Conn, pred func(ClientMessage) bool, n int) ([]ClientMessage, error) {
	for {
		var got []ClientMessage
		s.mu.Lock()
		for _, cc := range s.conns {
			if c != nil && cc != c {
				continue
			}
			for _, m := range cc.msgs {
				if len(got) < n && pred(m) {
					got = append(got, m)
				}
			}
		}
		ch := s.changed
		s.mu.Unlock()
		if len(got) == n {
			return got, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return got, fmt.Errorf("geminitest: waiting for %d messages, have %d: %w", n, len(got), ctx.Err())
		case <-s.ctx.Done():
			return got, errors.New("geminitest: server closed")
		}
	}
}

// notifyLocked wakes every waiter; s.mu is held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// The websocket paths the service serves, after the version.
const (
	geminiPrefix = "/ws/google.ai.generativelanguage."
	vertexPrefix = "/ws/google.cloud.aiplatform."
)

// route tells which API a request path asks for; ok is false for an unknown
// path. Leading slashes are collapsed, as the service does (the JS SDK asks
// for "//ws/...").
func route(p string) (vertex, ok bool) {
	p = "/" + strings.TrimLeft(p, "/")
	switch {
	case strings.HasPrefix(p, geminiPrefix):
		return false, strings.HasSuffix(p, ".GenerativeService.BidiGenerateContent") || strings.HasSuffix(p, ".GenerativeService.BidiGenerateContentConstrained")
	case strings.HasPrefix(p, vertexPrefix):
		return true, strings.HasSuffix(p, ".LlmBidiService/BidiGenerateContent")
	}
	return false, false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	vertex, ok := route(p)
	if !ok {
		http.Error(w, "geminitest: unknown path "+p, http.StatusNotFound)
		return
	}
	s.mu.Lock()
	if s.refuse > 0 {
		s.refuse--
		code := s.refuseCode
		s.mu.Unlock()
		http.Error(w, "geminitest: refused", code)
		return
	}
	s.mu.Unlock()
	keyOK := s.keyOK(r)
	if vertex {
		keyOK = s.tokenOK(r)
	}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	ws, err := up.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil { // Close is waiting: add no goroutine
		_ = ws.Close()
		return
	}
	s.wg.Add(1)
	go s.serveConn(ws, keyOK, vertex)
}

// tokenOK checks the Vertex AI bearer token without ever echoing it.
func (s *Server) tokenOK(r *http.Request) bool {
	return r.Header.Get("Authorization") == "Bearer "+s.opts.AccessToken
}

// keyOK checks the API key without ever echoing it.
func (s *Server) keyOK(r *http.Request) bool {
	k := s.opts.APIKey
	if r.Header.Get("x-goog-api-key") == k {
		return true
	}
	if r.Header.Get("Authorization") == "Token "+k {
		return true
	}
	return r.URL.Query().Get("access_token") == k || r.URL.Query().Get("key") == k
}
