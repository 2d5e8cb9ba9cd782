package fullduplex

import "context"

// A ToolCall is the model asking the program to run a function (the Data of
// EventToolCall). ID identifies the call in the result and in EventToolCancel.
type ToolCall struct {
	ID   string
	Name string
	Args map[string]any
}

// A ToolHandler runs one tool call. ctx is cancelled when the model cancels
// the call (EventToolCancel) or the session ends. The returned value is sent
// back to the model as the call's output; it must marshal to JSON.
type ToolHandler func(ctx context.Context, args map[string]any) (any, error)

// A Tool is a function the model may call, declared once on a DuplexSession.
type Tool struct {
	Name        string
	Description string
	// Parameters is the JSON schema of the arguments object, e.g.
	// {"type": "object", "properties": {"city": {"type": "string"}}}.
	// nil means the tool takes no arguments.
	Parameters map[string]any
	Handler    ToolHandler
	// NonBlocking lets the model go on talking while the tool runs; its
	// result arrives later (Gemini Live's asynchronous function calling,
	// Behavior NON_BLOCKING). Backends without the notion ignore it.
	NonBlocking bool
	// Scheduling says how the model takes the result of a NonBlocking
	// tool; it is copied into each ToolResult. Default SchedulingDefault.
	Scheduling Scheduling
}

// Scheduling says when the model takes up the result of a non-blocking tool
// call (Gemini Live's FunctionResponse.scheduling).
type Scheduling string

// The schedulings.
const (
	SchedulingDefault   Scheduling = ""          // the backend's default (Gemini: when idle)
	SchedulingInterrupt Scheduling = "interrupt" // stop what the model is saying and answer with the result now
	SchedulingWhenIdle  Scheduling = "when_idle" // use the result once the model has finished talking
	SchedulingSilent    Scheduling = "silent"    // take the result in without saying anything about it
)

// A ToolResult is the answer to one ToolCall, sent back to the model.
// Exactly one of Output and Error is meaningful: Error is non-empty when the
// handler failed, was cancelled, or the tool is unknown.
type ToolResult struct {
	ID     string
	Name   string
	Output any
	Error  string
	// Scheduling, for a non-blocking call: when the model takes the result up.
	Scheduling Scheduling
}

// A ToolDeclarer is a DuplexStream that must be told, before Connect, which
// tools the model may call. DuplexSession declares its tools through it.
type ToolDeclarer interface {
	DeclareTools(tools []Tool) error
}

// A ToolResponder is a DuplexStream that can send tool results back to the
// model. It is safe to call concurrently with Send and Receive.
type ToolResponder interface {
	SendToolResult(ctx context.Context, r ToolResult) error
}
