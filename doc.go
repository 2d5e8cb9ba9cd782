// Package fullduplex is real-time, full-duplex conversation with multimodal
// models: a program listens and speaks at the same time, and so does the
// model.
//
// The pieces:
//
//   - A Symbol is one unit of perception or expression: an audio chunk, a
//     text fragment, an image, a video frame.
//   - A StreamEvent is a control signal beside the symbols: a turn ended,
//     the model was interrupted, it wants a tool called.
//   - A DuplexStream is a live connection to a model: Send and Receive run
//     at the same time. Backends implement it: package gemini for the Gemini
//     Live API, package realtime for turn models made live,
//     fullduplextest.FakeStream for tests. What Receive returns follows one
//     turn grammar on every backend (see DuplexStream): each model turn ends
//     with exactly one terminator, and everything of the turn comes before
//     it. A SendCloser's CloseSend ends the input for good; the stream then
//     answers what it has and ends with io.EOF.
//   - A DuplexSession runs a conversation over a stream: it pumps a Source
//     (a microphone) into the stream while it delivers what comes back to a
//     Sink (a speaker), silences the speaker at once on barge-in, and runs
//     tool calls while the conversation goes on. When the Source ends, it
//     closes the input, so RunDuplex returns after the last answer.
//
// # Concurrency
//
// Every DuplexStream method is safe for concurrent use, and every blocking
// call takes a context: cancelling a call abandons that call, never the
// stream. Close is idempotent and unblocks pending calls. RunDuplex owns
// the goroutines it starts and waits for all of them before it returns.
// A Source is read, and a Sink written, by one goroutine at a time.
//
// # Errors
//
// io.EOF means a clean end. ErrClosed, ErrNotConnected and ErrInvalidSymbol
// are wrapped with %w; backend errors are reachable with errors.As.
//
// See the examples in this package and in fullduplextest, and
// examples/mic-chat for a voice conversation with Gemini.
package fullduplex
