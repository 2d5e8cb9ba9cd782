package fakehttp

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
)

// Server is an HTTP server on loopback for a fake model. Its zero value is
// not usable; call NewServer.
//
// All methods are safe for concurrent use; handlers run concurrently.
type Server struct {
	srv  *httptest.Server
	done chan struct{} // closed by Close: hanging answers end
	once sync.Once
}

// NewServer starts a server that serves h. Close it when done.
func NewServer(h http.Handler) *Server {
	s := &Server{done: make(chan struct{})}
	s.srv = httptest.NewServer(h)
	return s
}

// URL returns the server's base URL, "http://127.0.0.1:PORT".
func (s *Server) URL() string { return s.srv.URL }

// Close ends hanging answers and shuts the server down, waiting for its
// handlers to return.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.srv.Close()
}

// Hang waits until the client of r goes away or the server is closed: an
// answer that streams and then stalls, like a model in a long answer.
func (s *Server) Hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-s.done:
	}
}

// WriteJSON answers with status and v as a JSON body.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
