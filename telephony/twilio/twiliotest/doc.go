// Package twiliotest is a fake Twilio for tests: a Client that dials a
// Media Streams WebSocket (such as a twilio.Handler) and behaves like
// Twilio's side of a bidirectional <Connect><Stream>, following the
// published message shapes: connected, start, media (20 ms μ-law 8 kHz
// frames, numbered by chunk, with timestamps and sequence numbers), dtmf
// and stop out; media, mark and clear in. It can sign its handshake with
// X-Twilio-Signature (Options.AuthToken).
//
// The caller's side comes from samples or a WAV file (ReadWAV resamples
// any 16-bit WAV to 8 kHz): SendAudio sends them at once, StreamAudio in
// real time, one frame every 20 ms. What the server sends is recorded:
// the model's audio decoded to PCM (Audio), each media message's arrival
// (Arrivals), marks and clears; Wait blocks until a condition on those
// counts holds, so tests never sleep. Any message Twilio would refuse
// ends the connection with an error (Err).
//
// Playback: Twilio plays what it receives in real time and echoes each
// mark when the audio before it has played; a clear drops its buffer and
// echoes the marks of the dropped audio. By default the fake plays
// instantly: it echoes each mark as soon as it arrives. With
// Options.ManualPlayback it holds the audio until the test calls Play(d),
// which plays d of it and echoes the marks it passes, so a test controls
// exactly what the caller has heard when it barges in.
package twiliotest
