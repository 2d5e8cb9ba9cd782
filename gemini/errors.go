package gemini

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex/internal/redact"
)

// ErrReconnectFailed ends a stream whose reconnect attempts all failed; the
// last attempt's error is joined to it.
var ErrReconnectFailed = errors.New("gemini: reconnect failed")

// A CloseError is the service closing the connection with a websocket close
// code other than 1000 (a clean end, which Receive reports as io.EOF).
// Reach it with errors.As. It is immutable once returned, safe to share.
type CloseError struct {
	Code   int    // websocket close code, e.g. 1007 or 1008
	Reason string // the service's reason text, with the API key and bearer token redacted
}

// Error gives the close code and the service's reason.
func (e *CloseError) Error() string {
	var what string
	switch e.Code {
	case websocket.CloseInvalidFramePayloadData:
		what = "the service rejected a message it could not accept (invalid payload: check the setup, the model's modalities, and the data sent)"
	case websocket.ClosePolicyViolation:
		what = "the service refused the session (policy violation: check the API key, the model name, and quota)"
	case websocket.CloseInternalServerErr:
		what = "the service failed (internal error)"
	case websocket.CloseGoingAway:
		what = "the service went away"
	case websocket.CloseAbnormalClosure:
		what = "the connection dropped without a close frame"
	default:
		what = "the service closed the connection"
	}
	if e.Reason != "" {
		return fmt.Sprintf("gemini: %s (close %d: %s)", what, e.Code, e.Reason)
	}
	return fmt.Sprintf("gemini: %s (close %d)", what, e.Code)
}

// fatal reports whether reconnecting cannot help: the service refused the
// session (auth, policy, quota) or the data.
func (e *CloseError) fatal() bool {
	if e.Code == websocket.CloseInvalidFramePayloadData || e.Code == websocket.ClosePolicyViolation {
		return true
	}
	r := strings.ToLower(e.Reason)
	for _, w := range []string{"quota", "resource_exhausted", "resource exhausted", "api key", "permission", "unauthenticated", "401", "403"} {
		if strings.Contains(r, w) {
			return true
		}
	}
	return false
}

// readOutcome sorts an error from the SDK's Session.Receive.
type readOutcome int

const (
	readMalformed readOutcome = iota // a bad frame; the connection is fine
	readCleanEnd                     // close 1000
	readFatal                        // the service refused something; do not retry
	readBroken                       // the connection broke; reconnect
	readFinished                     // CloseSend's last owed answer ended: the stream ends with io.EOF
)

// classifyRead sorts err and returns the error to report, with every
// secret redacted from it (and from whatever its Unwrap chain reaches).
func classifyRead(err error, secrets []string) (readOutcome, error) {
	var ce *websocket.CloseError
	if errors.As(err, &ce) {
		if ce.Code == websocket.CloseNormalClosure {
			return readCleanEnd, io.EOF
		}
		e := &CloseError{Code: ce.Code, Reason: redact.String(ce.Text, secrets...)}
		if e.fatal() {
			return readFatal, e
		}
		return readBroken, e
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	msg := err.Error()
	switch {
	case errors.As(err, &se), errors.As(err, &te),
		strings.HasPrefix(msg, "invalid message format"),
		strings.HasPrefix(msg, "mapToStruct"):
		return readMalformed, &FrameError{Err: redact.Error(err, secrets...)}
	case strings.HasPrefix(msg, "received error in response"):
		return readMalformed, &FrameError{Err: redact.Error(err, secrets...), ServiceError: true}
	}
	return readBroken, redact.Error(fmt.Errorf("gemini: connection lost: %w", err), secrets...)
}

// A FrameTooLargeError is a server message longer than Config.MaxFrameSize.
// The connection it came on has ended: it arrives as the Data of a
// fullduplex.EventError, then the stream reconnects (ReconnectInfo.Err is
// this error) or, when it cannot, ends with it. It is immutable once
// delivered, safe to share.
type FrameTooLargeError struct {
	Limit int // Config.MaxFrameSize
}

// Error gives the limit.
func (e *FrameTooLargeError) Error() string {
	return fmt.Sprintf("gemini: the service sent a message over the %d-byte limit (Config.MaxFrameSize); the connection was dropped", e.Limit)
}

// A FrameError is a server message the stream could not parse, or an error
// message from the service; it arrives as the Data of a fullduplex.EventError
// and the stream goes on. It is immutable once delivered, safe to share.
type FrameError struct {
	// Err is the parse or service error, with the API key and bearer token
	// redacted from its message and from every error its Unwrap chain
	// reaches (the SDK's message quotes the whole frame).
	Err          error
	ServiceError bool // the frame was an {"error": ...} message
}

// Error says which frame failed and why, cut to 300 bytes.
func (e *FrameError) Error() string {
	s := redact.Cut(e.Err.Error(), 300)
	if e.ServiceError {
		return "gemini: the service sent an error: " + s
	}
	return "gemini: malformed server message: " + s
}

// Unwrap returns the parse or service error.
func (e *FrameError) Unwrap() error { return e.Err }
