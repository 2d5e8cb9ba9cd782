package web

import (
	"context"
	"embed"
	"errors"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/gorilla/websocket"
)

//go:embed static
var static embed.FS

// WebSocketPath is where the page connects, relative to the page.
const WebSocketPath = "/ws"

// ErrHandlerClosed ends the connections of a Handler that was closed.
var ErrHandlerClosed = errors.New("web: handler closed")

// A Handler serves the page (at "/", with its scripts) and the WebSocket
// endpoint the page connects to (WebSocketPath). Mount it at a prefix with
// http.StripPrefix. Each connection gets a Conn and its own call of
// Config.Serve.
//
// A Handler is safe for concurrent use; ServeHTTP is called by net/http
// on many goroutines, Close from any.
type Handler struct {
	cfg    Config
	files  http.Handler
	up     websocket.Upgrader
	ctx    context.Context // cancelled by Close, with ErrHandlerClosed
	cancel context.CancelCauseFunc

	mu     sync.Mutex // guards closed and conns
	closed bool
	conns  sync.WaitGroup
	n      int // open connections
}

// NewHandler returns a Handler for cfg.
func NewHandler(cfg Config) (*Handler, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	sub, err := fs.Sub(static, "static")
	if err != nil {
		return nil, err
	}
	h := &Handler{cfg: cfg, files: http.FileServerFS(sub)}
	h.ctx, h.cancel = context.WithCancelCause(context.Background())
	h.up = websocket.Upgrader{
		ReadBufferSize:  4096,
		WriteBufferSize: 4096,
		CheckOrigin:     func(*http.Request) bool { return true }, // checked in ServeHTTP, before the upgrade
	}
	return h, nil
}

// ServeHTTP serves the page, or, at WebSocketPath, one conversation: it
// returns when the connection has ended and every goroutine of it has
// finished.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != WebSocketPath {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		h.files.ServeHTTP(w, r)
		return
	}
	if !websocket.IsWebSocketUpgrade(r) {
		http.Error(w, "web: this endpoint takes a WebSocket upgrade", http.StatusBadRequest)
		return
	}
	if !h.cfg.CheckOrigin(r) {
		http.Error(w, "web: origin not allowed", http.StatusForbidden)
		return
	}
	if h.cfg.Authorize != nil {
		if err := h.cfg.Authorize(r); err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
	}
	if !h.begin() {
		http.Error(w, "web: server shutting down", http.StatusServiceUnavailable)
		return
	}
	defer h.end()
	ws, err := h.up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade answered the request
	}
	serve(h.ctx, ws, r, &h.cfg)
}

func (h *Handler) begin() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.conns.Add(1)
	h.n++
	return true
}

func (h *Handler) end() {
	h.mu.Lock()
	h.n--
	h.mu.Unlock()
	h.conns.Done()
}

// Connections returns how many conversations are open.
func (h *Handler) Connections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

// Close ends every connection (their Serve contexts are cancelled and the
// pages get a close frame), refuses new ones, and returns once every
// connection's goroutines have finished. It is idempotent. Close the
// http.Server first (Shutdown does not wait for WebSocket connections).
func (h *Handler) Close() error {
	h.mu.Lock()
	h.closed = true
	h.mu.Unlock()
	h.cancel(ErrHandlerClosed)
	h.conns.Wait()
	return nil
}

// sameOrigin is the default CheckOrigin: no Origin header, or one whose
// host is the request's Host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Host, r.Host)
}
