package openaicompat

import (
	"errors"
	"fmt"
	"strings"
)

// An HTTPError is a response with a status other than 2xx, or an error
// object in the stream (StatusCode 0 then). Reach it with errors.As.
type HTTPError struct {
	StatusCode int
	// Message is the server's error message, or the start of its body.
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

// redact removes the API key from text that came from the server.
func redact(text, key string) string {
	if key == "" {
		return text
	}
	return strings.ReplaceAll(text, key, "[redacted]")
}
