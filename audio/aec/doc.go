// Package aec cancels acoustic echo in microphone audio with speexdsp's
// echo canceller (cgo; Debian: apt-get install libspeexdsp-dev), so that
// barge-in works with loudspeakers: the model's own voice is subtracted
// from the microphone before the voice activity detector hears it.
//
// A Canceller is a fullduplex.Source that wraps the microphone's Source and
// reads the far-end reference (what the speaker played) from a Reference,
// normally the *audio.Speaker. Its output goes to the barge-in watcher:
//
//	b, err := audio.NewBridge(session, audio.Config{Filter: aec.Filter(aec.Config{})})
//
// The canceller adapts a filter of FilterLength (200 ms) to the echo path;
// it needs a second or two of the model's speech to converge. Residual echo
// suppression (speexdsp's preprocessor) removes most of what the linear
// filter leaves. The far-end reference is taken when the speaker's
// callback hands audio to the device, so it leads the echo at the
// microphone by the output latency, the room and the input latency; the
// filter must be longer than that lead.
package aec
