// Package playback holds the bounded sample queue between a goroutine that
// produces audio and a real-time audio callback that consumes it: the
// speaker's playback queue and the microphone's capture ring.
//
// The consumer side (Pull, TryPush) never blocks on anything but a short
// mutex held for a copy, and allocates nothing, so it may run inside a
// PortAudio callback. The producer side may block with a context (Push) until
// there is room. Clear drops everything at once and starts a new generation:
// a Push that began before the Clear drops the rest of its samples, so no
// sample produced for the cleared generation is queued after it.
//
// The package is pure Go.
package playback
