// Package gemini is a fullduplex.DuplexStream over the Gemini Live API,
// built on google.golang.org/genai.
//
//	stream := gemini.NewStream(gemini.Config{SystemInstruction: "Be brief."})
//	session := fullduplex.NewDuplexSession(stream)
//	err := session.RunDuplex(ctx, microphone, speaker)
//
// The stream absorbs the quirks of the SDK's Live session: Connect honours
// its ctx, one background goroutine per connection keeps reading (so pings are
// answered and GoAway and resumption updates are acted on while the
// application is slow to call Receive), sends are serialized, the duplicate
// setupComplete is hidden, websocket close codes become errors
// (see CloseError), an audio Blob never goes out without a MIME type, and the
// configuration is checked before anything is dialed. The API key and the
// Vertex AI bearer token never appear in an error or event (they are
// redacted from what the server says), and no message over
// Config.MaxFrameSize is read.
//
// Every model turn ends with exactly one terminator, after everything of the
// turn (its usage too), as the fullduplex turn grammar says; the stream
// absorbs the service's interrupted-then-turnComplete ending of a cut turn.
// CloseSend ends the input: the stream answers what it was sent, then
// Receive returns io.EOF. Config.VertexAI selects Vertex AI's Live API.
// With a fullduplex.PlaybackReporter (UsePlayback, which RunDuplex calls),
// a cut turn's TurnEnd.Heard says what the listener heard of it; the Live
// API cannot truncate its own memory of the answer.
//
// Session resumption is on by default: on GoAway, or when the connection
// drops unexpectedly, the stream reconnects with the latest resumable handle,
// emits fullduplex.EventReconnect, buffers what is sent during the switch,
// and the caller keeps one unbroken stream. A switch never waits for a
// write stuck on the old connection, and tool results are sent again on a
// resumed connection until a resumable handle shows the service had them.
//
// Limits the SDK imposes: its Connect cannot be aborted, so a server that
// never answers setup keeps one goroutine blocked until the socket closes
// (Connect itself returns when its ctx ends, and the late connection is
// closed); and it drops the HTTP response of a refused websocket upgrade, so
// a 401 or 403 at the handshake looks like any other failed dial and is
// retried (the service normally refuses a bad key with close code 1008,
// which is not retried). The SDK keeps the websocket unexported; the
// stream reaches it, type-checked, only to set the read limit.
//
// Package gemini/geminitest is a fake Live server on loopback for tests,
// including an "echo model" so examples run offline.
package gemini
