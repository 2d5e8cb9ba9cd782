package openaicompattest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/fullduplex-go/fullduplex/realtime/internal/fakehttp"
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
// chunk each, then, unless Hang, a finish reason, a usage chunk when the
// request asked for one ("stream_options": {"include_usage": true}, as
// OpenAI's API does) and "[DONE]". With Hang the server waits for the
// client to go away. A non-zero Status answers with that status and Error
// as the error message instead; Error alone, with a zero Status, is sent
// as an error object inside the stream after the fragments.
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
	srv    *fakehttp.Server
	script *fakehttp.Script[Request, Reply]
}

// NewServer starts a server that echoes: it answers "You said: " and the
// text of the last user message, one word per chunk. Close it when done.
func NewServer() *Server {
	s := &Server{script: fakehttp.NewScript(Echo)}
	s.srv = fakehttp.NewServer(http.HandlerFunc(s.serve))
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
func (s *Server) URL() string { return s.srv.URL() + "/v1" }

// Close ends hanging answers and shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Enqueue queues replies for the next requests; after them the server
// answers with its reply function (Echo unless SetReply changed it).
func (s *Server) Enqueue(replies ...Reply) { s.script.Enqueue(replies...) }

// SetReply sets the function that answers requests when no reply is queued.
func (s *Server) SetReply(f func(Request) Reply) { s.script.SetFallback(f) }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request { return s.script.Requests() }

func errorBody(msg string) map[string]any {
	return map[string]any{"error": map[string]any{"message": msg}}
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		fakehttp.WriteJSON(w, http.StatusNotFound, errorBody("not found"))
		return
	}
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		fakehttp.WriteJSON(w, http.StatusBadRequest, errorBody("bad json"))
		return
	}
	req := Request{Body: body, Authorization: r.Header.Get("Authorization")}
	req.Model, _ = body["model"].(string)
	req.Stream, _ = body["stream"].(bool)
	if raw, err := json.Marshal(body["messages"]); err == nil {
		_ = json.Unmarshal(raw, &req.Messages)
	}
	rep := s.script.Next(req)

	if rep.Status != 0 {
		fakehttp.WriteJSON(w, rep.Status, errorBody(rep.Error))
		return
	}
	if !req.Stream {
		fakehttp.WriteJSON(w, http.StatusOK, map[string]any{
			"choices": []any{map[string]any{
				"index": 0, "message": map[string]any{"role": "assistant", "content": strings.Join(rep.Fragments, "")}, "finish_reason": "stop",
			}},
			"usage": usage(req, rep),
		})
		return
	}
	sse := fakehttp.StartSSE(w, "\n")
	sse.Comment("fake server")
	for i, f := range rep.Fragments {
		delta := map[string]any{"content": f}
		if i == 0 {
			delta["role"] = "assistant"
		}
		sse.Data(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": nil}}})
	}
	switch {
	case rep.Hang:
		s.srv.Hang(r)
		return
	case rep.Error != "":
		sse.Data(errorBody(rep.Error))
		return
	case rep.Truncate:
		return
	}
	sse.Data(map[string]any{"object": "chat.completion.chunk", "choices": []any{map[string]any{"index": 0, "delta": map[string]any{}, "finish_reason": "stop"}}})
	if opts, _ := body["stream_options"].(map[string]any); opts["include_usage"] == true {
		sse.Data(map[string]any{"object": "chat.completion.chunk", "choices": []any{}, "usage": usage(req, rep)})
	}
	if !rep.NoDone {
		sse.Field("data", "[DONE]")
	}
}

// usage counts words of the messages as prompt tokens and fragments as
// completion tokens.
func usage(req Request, rep Reply) map[string]any {
	prompt := 0
	for _, m := range req.Messages {
		prompt += len(strings.Fields(m.Text()))
	}
	return map[string]any{"prompt_tokens": prompt, "completion_tokens": len(rep.Fragments), "total_tokens": prompt + len(rep.Fragments)}
}
