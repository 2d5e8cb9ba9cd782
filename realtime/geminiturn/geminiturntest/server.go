package geminiturntest

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/fullduplex-go/fullduplex/realtime/internal/fakehttp"
)

// A Request is what the server received.
type Request struct {
	// Path is the URL path, e.g. "/v1beta/models/gemini-2.5-flash:streamGenerateContent".
	Path string
	// Model is the model named in the path.
	Model string
	// APIKey is the x-goog-api-key header.
	APIKey string
	// Contents and SystemInstruction are the decoded request fields.
	Contents          []Content
	SystemInstruction *Content
	// Body is the whole decoded body.
	Body map[string]any
}

// Content is one turn of the request or answer, in the REST API's shape.
type Content struct {
	Role  string `json:"role,omitempty"`
	Parts []Part `json:"parts"`
}

// Part is one part of a Content.
type Part struct {
	Text       string      `json:"text,omitempty"`
	InlineData *InlineData `json:"inlineData,omitempty"`
}

// InlineData is inline binary data; Data is base64 on the wire.
type InlineData struct {
	MIMEType string `json:"mimeType"`
	Data     []byte `json:"data"`
}

// Text returns the content's text parts joined with newlines.
func (c Content) Text() string {
	var texts []string
	for _, p := range c.Parts {
		if p.Text != "" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n")
}

// A Reply is the server's answer to one request: each of Parts streamed as
// one chunk, then a chunk with finishReason STOP. With Hang, the server
// waits for the client to go away instead of finishing. A non-zero Status
// answers with that HTTP status and Error as the message.
type Reply struct {
	Parts  []Part
	Hang   bool
	Status int
	Error  string
}

// TextReply is a Reply of text fragments.
func TextReply(fragments ...string) Reply {
	parts := make([]Part, len(fragments))
	for i, f := range fragments {
		parts[i] = Part{Text: f}
	}
	return Reply{Parts: parts}
}

// Server is a fake Gemini REST server on loopback. Its zero value is not
// usable; call NewServer.
//
// All methods are safe for concurrent use; the server answers requests
// concurrently.
type Server struct {
	srv    *fakehttp.Server
	script *fakehttp.Script[Request, Reply]
}

// NewServer starts a server that echoes "You said: " and the last user
// text, one word per chunk. Close it when done.
func NewServer() *Server {
	s := &Server{script: fakehttp.NewScript(Echo)}
	s.srv = fakehttp.NewServer(http.HandlerFunc(s.serve))
	return s
}

// Echo is the default answer: "You said: " and the last user text.
func Echo(r Request) Reply {
	text := "You said nothing."
	if n := len(r.Contents); n > 0 && r.Contents[n-1].Role == "user" {
		text = "You said: " + r.Contents[n-1].Text()
	}
	var frags []string
	for _, w := range strings.SplitAfter(text, " ") {
		if w != "" {
			frags = append(frags, w)
		}
	}
	return TextReply(frags...)
}

// URL returns the base URL for geminiturn.Config.BaseURL ("http://127.0.0.1:PORT").
func (s *Server) URL() string { return s.srv.URL() }

// Close ends hanging answers and shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Enqueue queues replies for the next requests; after them the server echoes.
func (s *Server) Enqueue(replies ...Reply) { s.script.Enqueue(replies...) }

// Requests returns every request received so far, in order.
func (s *Server) Requests() []Request { return s.script.Requests() }

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	_, rest, ok := strings.Cut(r.URL.Path, "/models/")
	model, method, ok2 := strings.Cut(rest, ":")
	if r.Method != http.MethodPost || !ok || !ok2 || method != "streamGenerateContent" || r.URL.Query().Get("alt") != "sse" {
		writeError(w, http.StatusNotFound, "fake server: only streamGenerateContent?alt=sse is served")
		return
	}
	raw := map[string]any{}
	var req struct {
		Contents          []Content `json:"contents"`
		SystemInstruction *Content  `json:"systemInstruction"`
	}
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "bad json")
		return
	}
	b, _ := json.Marshal(raw)
	if err := json.Unmarshal(b, &req); err != nil {
		writeError(w, http.StatusBadRequest, "bad request: "+err.Error())
		return
	}
	rq := Request{Path: r.URL.Path, Model: model, APIKey: r.Header.Get("x-goog-api-key"),
		Contents: req.Contents, SystemInstruction: req.SystemInstruction, Body: raw}
	rep := s.script.Next(rq)

	if rep.Status != 0 {
		writeError(w, rep.Status, rep.Error)
		return
	}
	sse := fakehttp.StartSSE(w, "\r\n")
	for _, p := range rep.Parts {
		sse.Data(map[string]any{"candidates": []any{map[string]any{"content": Content{Role: "model", Parts: []Part{p}}, "index": 0}}})
	}
	if rep.Hang {
		s.srv.Hang(r)
		return
	}
	sse.Data(map[string]any{
		"candidates":    []any{map[string]any{"content": Content{Role: "model", Parts: []Part{{Text: ""}}}, "finishReason": "STOP", "index": 0}},
		"usageMetadata": map[string]any{"promptTokenCount": 1, "candidatesTokenCount": len(rep.Parts), "totalTokenCount": 1 + len(rep.Parts)},
	})
}

func writeError(w http.ResponseWriter, status int, msg string) {
	fakehttp.WriteJSON(w, status, map[string]any{"error": map[string]any{"code": status, "message": msg, "status": http.StatusText(status)}})
}
