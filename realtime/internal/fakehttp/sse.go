package fakehttp

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// An SSE writes server-sent events to a response, flushing each one, so a
// streaming client sees it at once. It is used by one handler goroutine.
type SSE struct {
	w       http.ResponseWriter
	flusher http.Flusher
	eol     string
}

// StartSSE answers with status 200 and Content-Type text/event-stream.
// Lines end with eol: "\n" (llama.cpp, OpenAI) or "\r\n" (Google).
func StartSSE(w http.ResponseWriter, eol string) *SSE {
	w.Header().Set("Content-Type", "text/event-stream")
	w.WriteHeader(http.StatusOK)
	f, _ := w.(http.Flusher)
	return &SSE{w: w, flusher: f, eol: eol}
}

// Field writes one event of a single field, "field: value", and flushes.
func (e *SSE) Field(field, value string) {
	fmt.Fprintf(e.w, "%s: %s%s%s", field, value, e.eol, e.eol)
	e.flush()
}

// Data writes one event whose data is v as JSON.
func (e *SSE) Data(v any) {
	raw, _ := json.Marshal(v)
	e.Field("data", string(raw))
}

// Comment writes a comment line, which clients ignore.
func (e *SSE) Comment(text string) {
	fmt.Fprintf(e.w, ": %s%s%s", text, e.eol, e.eol)
	e.flush()
}

func (e *SSE) flush() {
	if e.flusher != nil {
		e.flusher.Flush()
	}
}
