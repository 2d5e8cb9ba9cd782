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
	EventStreamEnd    EventType = "stream_end"  // the model finished its turn (a turn terminator; Data: the backend's detail, or nil)
	EventInterrupt    EventType = "interrupt"   // the current model output was cut off (barge-in; a turn terminator)
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

// NewEvent returns a StreamEvent of type t with data, stamped now (stamp).
func NewEvent(t EventType, data any) StreamEvent {
	return StreamEvent{Type: t, Data: data, Timestamp: stamp()}
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
// # Turn grammar
//
// What Receive returns is a sequence of model turns, the same on every
// backend. A model turn is the items the model produces for one answer —
// symbols (audio, text, images), transcripts of either side, tool calls,
// EventMetadata, EventUsage — followed by exactly one terminator:
//
//   - EventStreamEnd: the model finished the turn;
//   - EventInterrupt: the turn was cut off (barge-in, by the server's voice
//     detection or by the client's InterruptOutput).
//
// Everything that belongs to a turn comes before its terminator: its usage,
// its transcripts, its metadata (a backend that learns them in the same
// message as the end of the turn reorders them). Symbols carry the turn's
// number in Metadata[MetaTurn] where the backend knows it. Between turns a
// stream may return events that belong to no turn (EventConnected,
// EventReconnect, EventError, EventToolCancel, session-level metadata) and
// transcripts of the user's speech.
//
// Input is said in turns too. A text Symbol is a complete user turn; audio
// is one until SendEnd ("the user stopped talking"; more input may follow)
// or until the backend's own voice detection ends it. Input turns that
// arrive before the model has started to answer an earlier one wait their
// turn: each gets its own answer, in order (a user who pastes three lines
// gets three answers). Input that arrives while an answer is under way may
// cut it off — that is barge-in, and the cut turn ends with EventInterrupt.
// A SendCloser's CloseSend ends input for good.
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
	// SendEnd marks the end of the current input turn (the user stopped
	// talking); more input may follow. To end input for good, see SendCloser.
	SendEnd(ctx context.Context) error
	// Receive returns the next Symbol or StreamEvent. It returns io.EOF
	// after a clean end of the stream and ErrClosed after Close.
	Receive(ctx context.Context) (StreamItem, error)
	// Connected reports whether the stream is connected now.
	Connected() bool
}

// A SendCloser is a DuplexStream whose input can be closed for good while
// its output goes on, like grpc's CloseSend: "no more input — answer what
// you have, then end cleanly". After CloseSend the stream refuses more input,
// finishes the model turn that answers the input it has (if any), and then
// Receive returns io.EOF after that turn's terminator. Every backend in this
// module implements it.
//
// DuplexSession calls CloseSend when its Source returns io.EOF (SendEnd on a
// stream that is not a SendCloser), so RunDuplex returns nil after the last
// answer, even on a live connection that would otherwise never end.
type SendCloser interface {
	CloseSend(ctx context.Context) error
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

// A TurnEnd is the Data of a turn terminator (EventStreamEnd or
// EventInterrupt) from a backend that numbers its turns or says why a turn
// ended. A plain value, safe to share.
type TurnEnd struct {
	// Turn is the turn's number, as in Metadata[MetaTurn] of its symbols.
	Turn int
	// Reason says why the turn ended when it is not the normal end, in the
	// backend's words, e.g. Gemini's "RESPONSE_REJECTED"; "" otherwise.
	Reason string
	// Heard is what the listener heard of a turn that was cut off
	// (EventInterrupt), when the stream had a PlaybackReporter (see
	// PlaybackUser); nil otherwise.
	Heard *Heard
}

// Usage reports tokens counted by the backend (the Data of EventUsage). A
// turn's usage comes before its terminator. Fields a backend does not
// report are zero (maps nil).
type Usage struct {
	InputTokens  int
	OutputTokens int
	TotalTokens  int
	// CachedTokens is the part of InputTokens served from a cache
	// (Gemini's cachedContentTokenCount, OpenAI's cached_tokens).
	CachedTokens int
	// ThoughtsTokens counts the model's thinking (Gemini's thoughtsTokenCount).
	ThoughtsTokens int
	// ToolUseTokens counts the prompt of tool use (Gemini's toolUsePromptTokenCount).
	ToolUseTokens int
	// Per-modality detail, where the backend reports it: modality → tokens.
	InputByModality   map[Modality]int
	OutputByModality  map[Modality]int
	CachedByModality  map[Modality]int
	ToolUseByModality map[Modality]int
}
