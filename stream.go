package fullduplex

import (
	"context"
	"errors"
	"io"
	"iter"
	"time"
)

// Sentinel errors. Backends wrap them with %w, so test with errors.Is.
var (
	// ErrClosed is returned by every call on a stream after Close.
	ErrClosed = errors.New("fullduplex: stream closed")
	// ErrNotConnected is returned by Send and Receive before Connect.
	ErrNotConnected = errors.New("fullduplex: stream not connected")
	// ErrInvalidSymbol marks a Symbol a stream refused to send: empty, a
	// wrong sample rate, a modality the backend cannot take. It is not
	// fatal: the stream stays usable.
	ErrInvalidSymbol = errors.New("fullduplex: invalid symbol")
)

// EventType names what a StreamEvent reports.
type EventType string

// The event types. Data holds what the comment says, or nil.
const (
	EventConnected    EventType = "connected"
	EventDisconnected EventType = "disconnected"
	EventStreamEnd    EventType = "stream_end"  // the model finished its turn
	EventInterrupt    EventType = "interrupt"   // the current model output was cut off (barge-in)
	EventError        EventType = "error"       // a non-fatal error (Data: error); fatal ones are returned
	EventMetadata     EventType = "metadata"    // backend-specific information (Data: backend's type)
	EventToolCall     EventType = "tool_call"   // Data: ToolCall
	EventToolCancel   EventType = "tool_cancel" // Data: []string (call IDs)
	EventUsage        EventType = "usage"       // Data: Usage
	EventReconnect    EventType = "reconnect"   // the backend is resuming on a new connection
)

// A StreamEvent is a control signal that travels alongside the symbols:
// connection lifecycle, turn boundaries, interrupts, tool calls, errors.
// It is a value; treat Data as read-only once it has been delivered.
type StreamEvent struct {
	Type      EventType
	Data      any
	Timestamp time.Time
}

func (StreamEvent) isStreamItem() {}

// NewEvent returns a StreamEvent of type t with data, stamped now.
func NewEvent(t EventType, data any) StreamEvent {
	return StreamEvent{Type: t, Data: data, Timestamp: time.Now()}
}

// A StreamItem is a Symbol or a StreamEvent; the set is closed, so a type
// switch over the two is exhaustive:
//
//	switch it := item.(type) {
//	case fullduplex.Symbol:
//	case fullduplex.StreamEvent:
//	}
type StreamItem interface{ isStreamItem() }

// A DuplexStream is a bidirectional connection to a model: symbols go out
// with Send while symbols and events come back from Receive, at the same time.
//
// Every method is safe for concurrent use: one goroutine typically sends
// while another receives, and Close may be called from any goroutine at any
// time. Cancelling the ctx of one call abandons that call only; it never
// closes the stream.
type DuplexStream interface {
	// Connect opens the connection; ctx bounds the handshake only. Connect
	// on a connected stream does nothing and returns nil.
	Connect(ctx context.Context) error
	// Close ends the stream and frees its resources. It is idempotent, safe
	// from any goroutine, and unblocks pending Send and Receive calls,
	// which then return ErrClosed.
	Close() error
	// Send sends one Symbol. A Symbol the backend cannot take is refused
	// with an error wrapping ErrInvalidSymbol and the stream stays usable.
	Send(ctx context.Context, s Symbol) error
	// SendEnd marks the end of the current input (the user stopped
	// talking); input may resume later.
	SendEnd(ctx context.Context) error
	// Receive returns the next Symbol or StreamEvent. It returns io.EOF
	// after a clean end of the stream and ErrClosed after Close.
	Receive(ctx context.Context) (StreamItem, error)
	// Connected reports whether the stream is connected now.
	Connected() bool
}

// An OutputInterrupter is a DuplexStream that can tell its backend to stop
// the output it is producing. DuplexSession calls it on barge-in.
type OutputInterrupter interface {
	InterruptOutput(ctx context.Context) error
}

// Items returns a single-use iterator over s.Receive(ctx). It stops at
// io.EOF and yields any other error once, then stops.
//
//	for item, err := range fullduplex.Items(ctx, stream) {
//		if err != nil { return err }
//		...
//	}
func Items(ctx context.Context, s DuplexStream) iter.Seq2[StreamItem, error] {
	return func(yield func(StreamItem, error) bool) {
		for {
			item, err := s.Receive(ctx)
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(item, nil) {
				return
			}
		}
	}
}

// Usage reports tokens counted by the backend (the Data of EventUsage).
type Usage struct {
	InputTokens  int
	OutputTokens int
	TotalTokens  int
	// Per-modality detail, where the backend reports it: modality → tokens.
	InputByModality  map[Modality]int
	OutputByModality map[Modality]int
}
