// Package realtime makes an ordinary turn-based model behave like a live,
// full-duplex stream: client-side realtime.
//
// A TurnModel answers one prompt at a time (Gemini's GenerateContentStream,
// a local model behind an OpenAI-compatible endpoint such as llama.cpp's
// server). A Stream wraps it into a fullduplex.DuplexStream:
//
//   - it keeps a rolling prompt: the conversation so far, user and model
//     turns, cut to a time window (default 10 minutes) or to the last N turns;
//   - it decides when the user's turn is complete (a Trigger): end of
//     speech, found by a voice activity detector over incoming audio; a
//     final transcription; an explicit SendEnd; a typed text message;
//   - it calls the model as soon as the turn is complete and streams the
//     answer back through Receive in the turn grammar of
//     fullduplex.DuplexStream: symbols tagged with fullduplex.MetaRole
//     "model" and fullduplex.MetaTurn, the model's usage, then exactly one
//     terminator, fullduplex.EventStreamEnd or fullduplex.EventInterrupt;
//   - input that arrives while the model answers is held aside and added to
//     the prompt after the answer, so the prompt never claims the model saw
//     what it did not;
//   - turns typed ahead wait their turn: a user turn completed before the
//     answer in progress is under way (before Receive has returned any of
//     it) gets its own answer after that one, in order, and cuts nothing;
//   - barge-in: the start of user speech, a user turn completed while the
//     answer is under way, or InterruptOutput (called by
//     fullduplex.DuplexSession.Interrupt) cancels the model call at once and
//     emits fullduplex.EventInterrupt. Only what Receive actually returned
//     before the cut enters the history;
//   - a failed model call is an EventError before the turn's EventStreamEnd,
//     and the conversation goes on: a user turn that got no answer at all
//     (an error or an empty answer before the first symbol) is dropped from
//     the history, so the next input is a turn of its own and an input the
//     server rejected is not sent again;
//   - CloseSend (fullduplex.SendCloser, called by DuplexSession when its
//     Source ends) answers what is pending, then Receive returns io.EOF.
//
// Backends live in subpackages: realtime/openaicompat (chat completions over
// HTTP with server-sent events) and realtime/geminiturn (Gemini through
// google.golang.org/genai). realtime/realtimetest has a scripted TurnModel
// for tests and examples.
//
// # Concurrency
//
// Every Stream method is safe for concurrent use. A Stream runs each model
// call on a goroutine it owns; Close cancels the call and waits for it.
package realtime
