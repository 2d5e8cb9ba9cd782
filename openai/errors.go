package openai

import (
	"errors"
	"fmt"

	"github.com/fullduplex-go/fullduplex/internal/redact"
)

// A ServerError is an error event of the service (the Data of a
// fullduplex.EventError): the stream goes on. Its fields are the service's,
// with any API key removed. A plain value, safe to share.
type ServerError struct {
	Type    string // e.g. "invalid_request_error"
	Code    string // e.g. "invalid_value", "response_cancel_not_active"
	Message string
	Param   string
	EventID string // the client event that caused it, when the service says
}

func (e *ServerError) Error() string {
	s := "openai: server error"
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

func serverError(w *wireError, key string) *ServerError {
	return &ServerError{
		Type: redact.String(w.Type, key), Code: redact.String(w.Code, key),
		Message: redact.Cut(w.Message, 2000, key), Param: redact.String(w.Param, key),
		EventID: w.EventID,
	}
}

// A CloseError is how the service ended a connection: a websocket close
// frame's code and reason (redacted). A plain value, safe to share.
type CloseError struct {
	Code   int
	Reason string
}

func (e *CloseError) Error() string {
	return fmt.Sprintf("openai: connection closed by the service: %d %s", e.Code, e.Reason)
}

// ErrReconnectFailed ends a stream whose reconnect attempts all failed; the
// last attempt's error is wrapped with it.
var ErrReconnectFailed = errors.New("openai: reconnect failed")

// ErrInputClosed is returned by Send and SendEnd after CloseSend.
var ErrInputClosed = errors.New("openai: input closed by CloseSend")

func redactErr(err error, key string) error { return redact.Error(err, key) }
