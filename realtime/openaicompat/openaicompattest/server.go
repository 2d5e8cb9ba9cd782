package openaicompattest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
)

// A Request is what the server received: the decoded body and the
// Authorization header.
type Request struct {
	Model         string
	Messages      []Message
	Stream        bool
	Authorization string
	Body          map[string]any // the whole decoded body
}

// A Message is one chat message; Content is a string, or a list of parts
// decoded as []any.
type Message struct {
	Role    string `json:"role"`
	Content any    `json:"content"`
}

// Text returns the message's text: the string content, or the text parts
// joined with newlines.
func (m Message) Text() string {
	if s, ok := m.Content.(string); ok {
		return s
	}
	var texts []string
	parts, _ := m.Content.([]any)
	for _, p := range parts {
		if obj, ok := p.(map[string]any); ok && obj["type"] == "text" {
			t, _ := obj["text"].(string)
			texts = append(texts, t)
		}
	}
	return strings.Join(texts, "\n")
}

// A Reply is the server's answer to one request: Fragments streamed one
// chunk each, then, unless Hang, a finish reason and "[DONE]". With Hang
// the server waits for the client to go away. A non-zero Status answers
// with that status and Error as the error message instead; Error alone,
// with a zero Status, is sent as an error object inside the stream after
// the fragments.
type Reply struct {
	Fragments []string
	Hang      bool
	Status    int
	Error     string
	// NoDone leaves out the final "[DONE]" (the finish reason is sent).
	NoDone bool
	// Truncate ends the body right after the fragments, with neither a
	// finish reason nor "[DONE]".
	Truncate bool
}

// Server is a fake chat-completions server on loopback. Its zero value is
// not usable; call NewServer.
//
// All methods are safe for concurrent use; the server answers requests
// concurrently.
type Server struct {
	srv  *httptest.Server
	done chan struct{}
	once sync.Once

	mu       sync.Mutex
	replies  []Reply
	requests []Request
	reply    func(Request) Reply
}

// NewServer starts a server that echoes: it answers "You said: " and the
// text of the last user message, one word per chunk. Close it when done.
func NewServer() *Server {
	s := &Server{done: make(chan struct{}), reply: Echo}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Echo is the default answer: "You said: " and the last user message.
func Echo(r Request) Reply {
	text := "You said nothing."
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			text = "You said: " + r.Messages[i].Text()
			break
		}
	}
	var frags []string
	for i, w := range strings.SplitAfter(text, " ") {
		if i == 0 || w != "" {
			frags = append(frags, w)
		}
	}
	return Reply{Fragments: frags}
}

// URL returns the base URL to put in openaicompat.Config.BaseURL
// ("http://127.0.0.1:PORT/v1").
func (s *Server) URL() string { return s.srv.URL + "/v1" }

// Close ends hanging answers and shuts the server down.
func (s *Server) Close() {
	s.once.Do(func() { close(s.done) })
	s.srv.Close()
}

// Enqueue queues replies for the next requests; after them the server
// answers with its reply function (Echo unless SetReply changed it).
func (s *Server) Enqueue(replies ...Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// SetReply sets the function that answers requests when no reply is queued.
func (s *Server) SetReply(f func(Request) Reply) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reply = f
}

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		http.Error(w, `{"error":{"message":"not found"}}`, http.StatusNotFound)
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, `{"error":{"message":"bad json"}}`, http.StatusBadRequest)
		return
	}
	req := Request{Body: body, Authorization: r.Header.Get("Authorization")}
	req.Model, _ = body["model"].(string)
	req.Stream, _ = body["stream"].(bool)
	if raw, err := json.Marshal(body["messages"]); err == nil {
		_ = json.Unmarshal(raw, &req.Messages)
	}
	s.mu.Lock()
	s.requests = append(s.requests, req)
	var rep Reply
	if len(s.replies) > 0 {
		rep, s.replies = s.replies[0], s.replies[1:]
	} else {
		rep = s.reply(req)
	}
	s.mu.Unlock()

	if rep.Status != 0 {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rep.Status)
		_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": rep.Error}})
		return
	}
	if !req.Stream {
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{
			"index": 0, "message": map[string]any{"role": "assistant", "content": strings.Join(rep.Fragments, "")}, "finish_reason": "stop",
		}}})
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	flusher, _ := w.(http.Flusher)
	send := func(v any) {
		raw, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", raw)
		if flusher != nil {
			flusher.Flush()
		}
	}
	fmt.Fprint(w, ": fake server\n\n")
	for i, f := range rep.Fragments {
		delta := map[string]any{"content": f}
		if i == 0 {
			delta["role"] = "assistant"
		}
		send(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": nil}}})
	}
	switch {
	case rep.Hang:
		select {
		case <-r.Context().Done():
		case <-s.done:
		}
		return
	case rep.Error != "":
		send(map[string]any{"error": map[string]any{"message": rep.Error}})
		return
	case rep.Truncate:
		return
	}
	send(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}})
	if !rep.NoDone {
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}
