// Package twiliotest is a fake Twilio for tests: a Client that dials a
// Media Streams WebSocket (such as a twilio.Handler) and behaves like
// Twilio's side of a bidirectional <Connect><Stream>, following the
// published message shapes: connected, start, media (20 ms μ-law 8 kHz
// frames, numbered), dtmf and stop in, media, mark and clear out.
//
// Twilio plays what it receives in real time and echoes each mark when the
// audio before it has played. The fake plays instantly: it echoes each
// mark as soon as it arrives, after the audio sent before it, so every
// mark not dropped by a clear counts as played. A clear drops nothing the
// fake still holds (it holds nothing) and is recorded.
package twiliotest
