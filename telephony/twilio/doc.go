// Package twilio connects phone calls to a fullduplex session through
// Twilio Media Streams: a bidirectional <Connect><Stream> carries the
// caller's voice to the server as base64 μ-law 8 kHz frames over a
// WebSocket, and the model's voice back the same way.
//
// TwiMLHandler answers the number's voice webhook with the TwiML that opens
// the stream; Handler answers the stream's WebSocket, reads Twilio's
// connected and start messages and hands each call to your function as a
// *Call, which is a fullduplex.Source (the caller's speech, resampled to
// 16 kHz by default) and a fullduplex.Sink, Flusher and PlaybackReporter
// (the model's speech, resampled to 8 kHz and μ-law encoded). So any
// backend runs through it unchanged:
//
//	mux.Handle("POST /twilio/voice", &twilio.TwiMLHandler{
//		TwiML: twilio.StreamTwiML{URL: "/twilio/stream"}, // wss://<host>/twilio/stream
//		AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"),
//	})
//	mux.Handle("GET /twilio/stream", &twilio.Handler{
//		AuthToken: os.Getenv("TWILIO_AUTH_TOKEN"),
//		Serve: func(ctx context.Context, call *twilio.Call) error {
//			stream := gemini.NewStream(gemini.Config{})
//			defer stream.Close()
//			return fullduplex.NewDuplexSession(stream).RunDuplex(ctx, call, call)
//		},
//	})
//
// Security: with AuthToken set, both handlers require a valid
// X-Twilio-Signature (HMAC-SHA1 of the URL and the form, keyed with the
// account's auth token) and answer 403 otherwise; the token never appears
// in errors or logs.
//
// Barge-in: Flush (called by the session on an interrupt) drops what is
// still queued and sends Twilio a clear message, which drops the audio
// Twilio has buffered for the caller. Flush never waits on the network.
//
// Played position: every Write of model audio is followed by a mark;
// Twilio echoes a mark when the audio before it has played, and Played
// reports the audio up to the latest echoed mark of a turn. Marks Twilio
// echoes because a clear dropped their audio do not count.
//
// DTMF: each key the caller presses is passed to Config.OnDTMF, in order
// with the audio; keys are not sent to the model. An application maps them
// to actions, for example "*" to DuplexSession.Interrupt.
//
// Metadata: Call.CallSid, StreamSid, From, To and Start (custom
// parameters, tracks, media format). Twilio's stream does not carry the
// caller's number; TwiMLHandler passes the webhook's From and To on as
// custom parameters.
//
// Queues and failures: the caller's audio waits for Next in a bounded
// queue (Config.InputQueue); when it is full the call stops reading the
// socket, so nothing is dropped. The model's audio waits for the socket in
// a bounded outbox (Config.OutputQueue), written by the call's own
// goroutine within Config.WriteTimeout. The stream ends with io.EOF from
// Next after Twilio's stop message (and every frame before it). A
// malformed or oversized frame (MaxMessage), a connection that drops
// without stop, or a peer that stops reading ends it with an error
// wrapping ErrMalformed, ErrDisconnected or ErrStalled, returned by Next
// only after every frame received before it, and logged by the Handler.
// When Serve returns, the Handler sends what was written, closes the
// WebSocket with a closing handshake, and waits for the call's goroutines.
//
// Package twiliotest is a fake Twilio for tests.
package twilio
