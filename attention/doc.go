// Package attention models attention as the allocation of a conversation
// across concurrent symbol streams: several inputs into one conversation
// (an attending Source) and several backends behind one stream (a
// CompositeStream). Both are built on the fullduplex contract, so they
// compose with every backend, source and sink.
//
// # Several inputs, one conversation
//
// A Source reads several Inputs (microphones, callers, a camera, typed text)
// and passes on what the conversation attends to. Who is attended to is the
// floor, and the policies that move it are plain values of a Config, each
// usable alone or with the others:
//
//   - Selective: what claims the floor — voice activity, an activation
//     phrase heard in that input's transcript ("hey kiosk"; an input
//     without a speech-to-text step can borrow a backend's input
//     transcription, Input.Transcriber), a typed line, or a relevance
//     function of your own; priority breaks ties.
//   - Sustained: how the floor is held — speech shorter than MinSpeech is
//     ignored, the holder keeps the floor for Hold after its last activity
//     (hysteresis: taking the floor needs sustained speech, keeping it only
//     needs no long silence), then the floor is released; PreRoll keeps the
//     start of the claiming speech.
//   - Divided: up to Max inputs hold the floor at once; every symbol is
//     labelled with its input's name (fullduplex.MetaSource) so the model
//     can tell speakers apart, and Mix mixes the holders' audio into one
//     stream for a backend that takes one, in step by media time.
//   - Control: an input of higher Priority preempts the holder at once, and
//     Control.Interrupt (for example DuplexSession.Interrupt) cuts the
//     model's answer.
//
// Budget limits what is sent per modality: video frames and images a
// second, only frames that changed enough, no silent audio; Stats counts
// everything that was passed or skipped, and why. Every change of the floor
// is an EventMetadata whose Data is a FloorChange, given to Config.OnEvent.
//
// Time is media time: the Timestamp of the symbols read (the constructors
// of package fullduplex stamp them), so a test that stamps its symbols is
// deterministic, and so is a replayed recording.
//
// A Source reads its inputs on goroutines that Run starts and waits for:
// run it beside the session, or use RunDuplex, which does both.
//
// # Several backends, one stream
//
// A CompositeStream is a fullduplex.DuplexStream over member streams:
// Failover moves the conversation to the next member when one fails
// fatally, carrying the transcript so far over as text (and first passing
// on what the failed member still held); Route and
// RouteFunc send input to a member by modality or by content; Escalation lets a cheap member hear
// everything and hands the floor to an expensive one when a test fires.
// Whatever the members do, what Receive returns follows the turn grammar:
// one model turn at a time, each with exactly one terminator, turn numbers
// growing. Tool calls, their results and interrupts reach the member they
// belong to.
package attention
