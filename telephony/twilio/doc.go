// Package twilio connects phone calls to a fullduplex session through
// Twilio Media Streams: a bidirectional <Connect><Stream> carries the
// caller's voice to the server as base64 μ-law 8 kHz frames over a
// WebSocket, and the model's voice back the same way.
//
// Handler answers Twilio's WebSocket, reads the connected and start
// messages and hands each call to your function as a *Call, which is a
// fullduplex.Source (the caller's speech, resampled to 16 kHz by default)
// and a fullduplex.Sink, Flusher and PlaybackReporter (the model's speech,
// resampled to 8 kHz and μ-law encoded). So any backend runs through it
// unchanged:
//
//	http.Handle("/twilio/stream", &twilio.Handler{
//		Serve: func(ctx context.Context, call *twilio.Call) error {
//			stream := gemini.NewStream(gemini.Config{})
//			defer stream.Close()
//			return fullduplex.NewDuplexSession(stream).RunDuplex(ctx, call, call)
//		},
//	})
//	http.HandleFunc("/twilio/voice", func(w http.ResponseWriter, r *http.Request) {
//		twilio.WriteTwiML(w, twilio.StreamTwiML{URL: "wss://example.com/twilio/stream"})
//	})
//
// Barge-in: Flush (called by the session on an interrupt) sends Twilio a
// clear message, which drops the audio Twilio has buffered for the caller.
// Played position: every Write of model audio is followed by a mark;
// Twilio echoes a mark when the audio before it has played, and Played
// reports the audio up to the latest echoed mark of a turn. Marks echoed
// because a clear dropped their audio do not count.
//
// DTMF: each key the caller presses is passed to Config.OnDTMF, in order
// with the audio; keys are not sent to the model. An application maps them
// to actions, for example "*" to DuplexSession.Interrupt, or sends them on
// as text.
//
// The stream ends with io.EOF from Next after Twilio's stop message (and
// every frame before it). A malformed frame or a connection that drops
// without stop ends it with an error wrapping ErrMalformed or
// ErrDisconnected, returned only after every frame received before it.
//
// Package twiliotest is a fake Twilio for tests.
package twilio
