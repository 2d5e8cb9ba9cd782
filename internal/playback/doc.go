// Package playback holds what every audio output sink shares (audio.Speaker,
// wavio.Sink): the conversion of model audio symbols to samples at the
// output's rate, the bounded queue in front of a real-time consumer, and
// the output level meter an echo gate reads.
//
//   - Writer is a sink's Write: it decodes, downmixes and resamples audio
//     symbols, keeps the resampler's state across a turn, drops it when the
//     output is flushed, plays the turn's tail at EventStreamEnd, and pushes
//     the samples to an Output (a device ring, a Queue, a file).
//   - Queue is a bounded FIFO of samples between a goroutine that produces
//     audio and a real-time consumer. The consumer side (Pull, TryPush)
//     never blocks on anything but a short mutex held for a copy, and
//     allocates nothing. The producer side may block with a context (Push)
//     until there is room. Clear drops everything at once and starts a new
//     generation: a Push that began before the Clear drops the rest of its
//     samples, so no sample produced for the cleared generation is queued
//     after it.
//   - Meter is the decaying-peak output level.
//
// The package is pure Go.
package playback
