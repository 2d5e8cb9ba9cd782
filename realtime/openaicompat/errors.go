package openaicompat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/fullduplex-go/fullduplex/internal/redact"
)

// An HTTPError is a response with a status other than 2xx, or an error
// the server reported inside the stream (StatusCode 0 then). Reach it with
// errors.As.
type HTTPError struct {
	StatusCode int
	// Message is the server's error message, or the start of its body,
	// with the API key redacted.
	Message string
}

// Error gives the HTTP status and the server's message.
func (e *HTTPError) Error() string {
	if e.StatusCode == 0 {
		return "openaicompat: server error: " + e.Message
	}
	return fmt.Sprintf("openaicompat: HTTP %d: %s", e.StatusCode, e.Message)
}

// ErrNoInput is returned when the user's last turn holds nothing the
// model is configured to take, for example only audio without
// Config.Audio.
var ErrNoInput = errors.New("openaicompat: the user's turn has nothing this model takes (audio or images need Config.Audio or Config.Images)")

// maxMessage bounds the server's message kept in an HTTPError.
const maxMessage = 500

// errorFields are the fields of a body or chunk that report an error, in
// the shapes servers send: {"error":{"message":...}} (OpenAI, llama.cpp,
// Ollama, newer vLLM), {"error":"text"}, and {"object":"error",
// "message":...} (vLLM).
type errorFields struct {
	Error   json.RawMessage `json:"error"`
	Object  string          `json:"object"`
	Message json.RawMessage `json:"message"`
}

// message returns the error message, and false when the fields hold no
// error.
func (e errorFields) message() (string, bool) {
	if raw := bytes.TrimSpace(e.Error); len(raw) > 0 && string(raw) != "null" {
		var text string
		if json.Unmarshal(raw, &text) == nil {
			return text, true
		}
		var obj struct {
			Message string `json:"message"`
		}
		if json.Unmarshal(raw, &obj) == nil && obj.Message != "" {
			return obj.Message, true
		}
		return string(raw), true
	}
	if e.Object == "error" {
		var text string
		_ = json.Unmarshal(e.Message, &text)
		return text, true
	}
	return "", false
}

// errorText returns the message of an error body or error event: the
// message of any shape errorFields knows, a bare {"message":...} (older
// llama.cpp's "error:" event), or else the text itself.
func errorText(raw []byte) string {
	var e errorFields
	if json.Unmarshal(raw, &e) == nil {
		if msg, ok := e.message(); ok {
			return msg
		}
		var text string
		if json.Unmarshal(e.Message, &text) == nil && text != "" {
			return text
		}
	}
	return strings.TrimSpace(string(raw))
}

// httpError returns an HTTPError for a message from the server: the API
// key is redacted first, then the message is cut to maxMessage bytes, so a
// cut never leaves part of the key behind.
func (m *Model) httpError(status int, msg string) *HTTPError {
	return &HTTPError{StatusCode: status, Message: redact.Cut(msg, maxMessage, m.cfg.APIKey)}
}
