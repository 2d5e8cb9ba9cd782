// Package openaitest is a fake OpenAI Realtime server on loopback, for
// testing code that uses the Realtime API (through package openai or any
// client of the GA protocol) without a network or an API key — in the
// spirit of net/http/httptest.
//
// The server speaks the wire protocol as the service does: it checks the
// path, the model and the bearer key (or an ephemeral client secret it
// issued at POST /v1/realtime/client_secrets), sends session.created,
// validates session.update (unknown fields are refused, like the
// service's), keeps the conversation (conversation.item.create, .truncate
// — refusing an audio_end_ms past the audio it sent, like the service —
// and .delete), the input audio buffer (append, commit, clear) with a
// simple voice activity detector standing in for server_vad
// (speech_started, speech_stopped, committed, and an answer), and plays
// responses (response.create, response.cancel): scripted Replies first,
// then, with Options.Echo, an echo model that answers text with "echo:
// TEXT" and speech with the speech itself, as audio and transcript. It
// records every client event, and lets a test push any server event, drop,
// hang or close a connection:
//
//	srv := openaitest.New(t, openaitest.Options{Echo: true})
//	stream := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
package openaitest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// DefaultAPIKey is the key a Server accepts when Options.APIKey is empty.
const DefaultAPIKey = "openaitest-key"

// Options configure a Server. The zero value is usable.
type Options struct {
	// APIKey is the bearer key the server accepts. Default DefaultAPIKey.
	APIKey string
	// Echo plays the echo model for every response nothing is scripted for.
	// Without it such a response says nothing and completes.
	Echo bool
}

// A Server is a fake Realtime server. Its methods are safe for concurrent use.
type Server struct {
	opts Options
	ln   net.Listener
	http *http.Server
	wg   sync.WaitGroup // connection goroutines

	mu      sync.Mutex
	conns   []*Conn
	changed chan struct{} // closed and replaced when a connection arrives
	script  []Reply
	secrets map[string]bool
	hang    bool
	closed  bool
}

// NewServer starts a server on 127.0.0.1. Close it when done.
func NewServer(opts Options) *Server {
	if opts.APIKey == "" {
		opts.APIKey = DefaultAPIKey
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic("openaitest: listen: " + err.Error())
	}
	s := &Server{opts: opts, ln: ln, changed: make(chan struct{}), secrets: map[string]bool{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.serveHTTP)
	s.http = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.http.Serve(ln) }()
	return s
}

// New is NewServer, closed when tb's test ends.
func New(tb testing.TB, opts Options) *Server {
	s := NewServer(opts)
	tb.Cleanup(s.Close)
	return s
}

// URL returns the base URL to give openai.Config.BaseURL: ws://127.0.0.1:PORT/v1.
func (s *Server) URL() string { return "ws://" + s.ln.Addr().String() + "/v1" }

// APIKey returns the key the server accepts.
func (s *Server) APIKey() string { return s.opts.APIKey }

// Close closes the listener and every connection, and waits for their
// goroutines.
func (s *Server) Close() {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return
	}
	s.closed = true
	conns := append([]*Conn(nil), s.conns...)
	s.mu.Unlock()
	_ = s.http.Close()
	for _, c := range conns {
		c.Drop()
	}
	s.wg.Wait()
}

// Script queues replies: each response the server plays takes the next one
// (before the echo model).
func (s *Server) Script(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, replies...)
}

func (s *Server) nextReply() (Reply, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) == 0 {
		return Reply{}, false
	}
	r := s.script[0]
	s.script = s.script[1:]
	return r, true
}

// HangHandshake makes new connections hang after the websocket upgrade:
// no session.created is ever sent.
func (s *Server) HangHandshake(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hang = on
}

// Conns returns the connections so far, oldest first.
func (s *Server) Conns() []*Conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*Conn(nil), s.conns...)
}

// WaitConn waits for the i-th connection (from 0).
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
			return nil, ctx.Err()
		}
	}
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/realtime/client_secrets"):
		s.serveClientSecret(w, r)
		return
	case !strings.HasSuffix(r.URL.Path, "/realtime"):
		httpError(w, http.StatusNotFound, "not_found", "unknown path "+r.URL.Path)
		return
	}
	if !s.authorized(r) {
		httpError(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		return
	}
	model := r.URL.Query().Get("model")
	if model == "" {
		httpError(w, http.StatusBadRequest, "missing_model", "Missing required parameter: 'model'.")
		return
	}
	ws, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		_ = ws.Close()
		return
	}
	c := newConn(s, ws, len(s.conns), model, r.Header.Clone())
	s.conns = append(s.conns, c)
	close(s.changed)
	s.changed = make(chan struct{})
	hang := s.hang
	s.wg.Add(1)
	s.mu.Unlock()
	go func() {
		defer s.wg.Done()
		c.serve(hang)
	}()
}

func (s *Server) authorized(r *http.Request) bool {
	key, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return key == s.opts.APIKey || s.secrets[key]
}

func (s *Server) serveClientSecret(w http.ResponseWriter, r *http.Request) {
	key, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if key != s.opts.APIKey {
		httpError(w, http.StatusUnauthorized, "invalid_api_key", "Incorrect API key provided.")
		return
	}
	var req struct {
		ExpiresAfter *struct {
			Anchor  string `json:"anchor"`
			Seconds int    `json:"seconds"`
		} `json:"expires_after"`
		Session map[string]any `json:"session"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		httpError(w, http.StatusBadRequest, "invalid_json", "We could not parse the JSON body of your request.")
		return
	}
	ttl := 600
	if req.ExpiresAfter != nil && req.ExpiresAfter.Seconds > 0 {
		ttl = req.ExpiresAfter.Seconds
	}
	secret := "ek_" + randomID()
	s.mu.Lock()
	s.secrets[secret] = true
	s.mu.Unlock()
	sess := req.Session
	if sess == nil {
		sess = map[string]any{"type": "realtime"}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"value": secret, "expires_at": time.Now().Unix() + int64(ttl), "session": sess,
	})
}

func httpError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{
		"type": "invalid_request_error", "code": code, "message": msg,
	}})
}

func randomID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

var errClosed = errors.New("openaitest: connection closed")
