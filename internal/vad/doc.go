// Package vad detects voice activity in 16-bit mono PCM, in pure Go.
//
// A Detector consumes consecutive frames of audio (10 to 30 ms is typical)
// and reports transitions: SpeechStart once speech has lasted MinSpeech,
// SpeechEnd once it has been absent for Hangover. Two detectors implement
// it:
//
//   - GMMDetector, the one to use on microphone audio: six frequency bands,
//     each band's energy modelled by Gaussian mixtures for speech and for
//     noise that adapt to the stream, likelihood-ratio tests (the design of
//     WebRTC's VAD, in floating point) plus an adaptive threshold that keeps
//     finding speech in loud noise, after a 110 Hz high-pass. It holds up
//     in white and brown noise down to 0 dB SNR, at about 4 µs of CPU per
//     20 ms frame at 16 kHz (under a second per hour of audio).
//   - EnergyDetector, the baseline: a frame's level against an adaptive
//     noise floor and its zero-crossing rate, optionally after a high-pass
//     filter (Config.HighPassHz). Cheap and exact on clean or synthetic
//     audio; it misses speech in white noise and, without the high-pass,
//     reads brown (low-pitched) noise as speech.
//
// BENCHMARKS.md ("Voice activity detection") compares them with WebRTC's VAD
// on a corpus made by testdata/gen-corpus.sh; vadeval holds the scoring and
// cmd/vadbench the benchmark.
//
// Each detector also reports its verdict on the frame itself (Last().Speech),
// before MinSpeech and Hangover: client-side barge-in (audio/bargein) smooths
// over time itself and uses that. Neither detector knows the user's voice
// from the model's voice leaking from a speaker: echo must be cancelled or
// gated upstream.
package vad
