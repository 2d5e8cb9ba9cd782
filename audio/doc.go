// Package audio connects a fullduplex.DuplexSession to a real microphone and
// speaker through PortAudio (a small cgo binding of its own; Debian:
// apt-get install portaudio19-dev). It does not use
// github.com/gordonklaus/portaudio: under the race detector that package
// dies opening a second stream ("fatal error: checkptr: pointer arithmetic
// computed bad pointer value": it passes a stream id as unsafe.Pointer), and
// its callbacks run Go through reflect on the audio thread. Here the
// callbacks are plain C that copy samples to and from a lock-free ring.
//
//   - Devices lists the input and output devices; a device is chosen by
//     index, by name (exact, else a unique substring) or as the default.
//   - OpenMicrophone returns a fullduplex.Source: 16-bit mono PCM at 16 kHz
//     (by default) in 20 ms chunks, resampled from the device's rate.
//   - OpenSpeaker returns a fullduplex.Sink and Flusher: it queues audio of
//     any rate without blocking the caller and plays it from the PortAudio
//     callback; Flush silences it within one callback period.
//   - Run bridges a session to both, with client-side barge-in (package
//     audio/bargein) so that talking over the model stops it at once.
//
// Headless programs and tests that must not need PortAudio use the pure-Go
// packages audio/wavio (WAV files as Source and Sink) and audio/bargein.
// Package audio/aec (cgo, speexdsp) cancels the speaker's echo in the
// microphone, for barge-in with loudspeakers: pass aec.Filter as
// Config.Filter.
//
// PortAudio is initialised on first use and terminated when the last open
// device is closed; device listing and opening are serialised by the
// package, so Microphones and Speakers may be opened and closed from any
// goroutine. The PortAudio callbacks of this package allocate nothing and
// cannot panic: they copy samples to or from a bounded queue.
package audio
