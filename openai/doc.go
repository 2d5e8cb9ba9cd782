// Package openai is a fullduplex.DuplexStream over the OpenAI Realtime API
// (GA protocol, over WebSocket, pure Go).
//
//	stream := openai.NewStream(openai.Config{Instructions: "Be brief."}) // key from $OPENAI_API_KEY
//	defer stream.Close()
//	session := fullduplex.NewDuplexSession(stream)
//	err := session.RunDuplex(ctx, mic, speaker)
//
// # What comes back
//
// Receive returns fullduplex.EventConnected (Data: SessionInfo) first, then
// model turns in the turn grammar of fullduplex.DuplexStream; each service
// response is one turn, numbered from 1 (Metadata[MetaTurn], TurnEnd.Turn):
//
//   - response.output_audio.delta: an audio symbol (16-bit PCM, 24 kHz, or
//     8 kHz for G.711 output, decoded);
//   - response.output_audio_transcript.delta and response.output_text.delta:
//     text symbols of the model (MetaTranscript for the transcript, with
//     MetaFinal false); the *.done event gives an EventMetadata with a
//     Transcript (and, when no delta came, the whole text as a symbol with
//     MetaFinal true);
//   - response.function_call_arguments.done: fullduplex.EventToolCall;
//   - response.done: fullduplex.EventUsage (cached and per-modality tokens),
//     an EventError for a failed response, then the terminator:
//     EventStreamEnd, or EventInterrupt for a cancelled (cut) response,
//     with a fullduplex.TurnEnd (Reason: the service's, e.g.
//     "turn_detected", "max_output_tokens");
//   - the user's speech: text symbols with role "user" from the input
//     transcription (deltas, then completed), and EventMetadata with
//     SpeechStarted, SpeechStopped, InputTimeout;
//   - conversation.item.truncated: EventMetadata with Truncated;
//     rate_limits.updated: EventMetadata with []RateLimit;
//   - error: fullduplex.EventError with a *ServerError; the stream goes on.
//     A malformed frame is an EventError too.
//
// # Barge-in and what the listener heard
//
// When the service hears the user (input_audio_buffer.speech_started) while
// an answer plays, it cancels the answer; the stream drops the answer's
// remaining output, truncates the answer in the conversation to what the
// listener heard (conversation.item.truncate with audio_end_ms), and ends
// the turn with EventInterrupt when response.done arrives (at most 500 ms
// later). InterruptOutput (DuplexSession.Interrupt) does the same from the
// client, with response.cancel. What was heard comes from the
// fullduplex.PlaybackReporter that DuplexSession.RunDuplex hands over
// (UsePlayback): Played(turn), clamped to the audio received, since a value
// past the end is an error on the service; without one, everything received
// counts as heard. With a reporter, the EventInterrupt's TurnEnd.Heard says
// what was heard: the audio_end_ms sent, and the same share of the
// answer's transcript.
//
// # Sessions
//
// The service ends a session after 60 minutes without warning. The stream
// opens a new session at the first quiet moment after Config.SessionCap
// (55 minutes), and after an unexpected close, gives it the instructions,
// the tools and the conversation so far as text, and goes on: it emits
// fullduplex.EventReconnect (Data: ReconnectInfo), and every client event
// queued in between goes to the new session. An answer under way when a
// connection breaks ends with EventInterrupt (Reason fullduplex.ReasonReconnect, "reconnect").
//
// Package openaitest is a fake Realtime server for tests.
package openai
