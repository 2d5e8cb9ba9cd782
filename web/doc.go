// Package web serves voice conversations to browsers: a Handler serves an
// embedded page and the WebSocket endpoint it connects to, and each
// connection is a Conn — a fullduplex.Source of the page's microphone (and
// camera or screen, as JPEG video frames) and a fullduplex.Sink, Flusher
// and PlaybackReporter for what the model says. Every backend runs through
// it unchanged.
//
// The page captures the microphone with an AudioWorklet, with the
// browser's echo cancellation on, resamples it to 16 kHz and sends 20 ms
// frames of 16-bit PCM; it plays the model's audio through a small jitter
// buffer and drops it at once when the server says clear (Flush, on
// barge-in); it shows the live transcript of both sides, an [interrupted]
// marker and each turn's latency, and says so plainly when the microphone
// is refused. While the user shares the camera or a screen it sends JPEG
// frames at Config.VideoFPS (default 1 a second).
//
// Each connection has a reader and a writer goroutine, bounded queues both
// ways (a full input queue stops reading, so TCP pushes back on the page;
// a full output queue blocks Write), pings, an idle timeout, an origin
// check and an optional Authorize hook. When the tab closes, Serve's
// context is cancelled and ServeHTTP returns once every goroutine of the
// connection has finished; Handler.Close ends them all.
//
// The wire protocol (binary media frames with a 12-byte header, JSON
// control messages) is described at ProtocolVersion; DecodeClient and
// DecodeServer parse it and refuse malformed or oversized frames with an
// error that wraps ErrBadFrame.
//
// The package is pure Go.
package web
