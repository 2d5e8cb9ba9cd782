// Package pcm holds the pure-Go audio groundwork of fullduplex: conversions
// between 16-bit little-endian PCM bytes, []int16 and []float32; downmixing
// interleaved multichannel audio to mono; a stateful streaming Resampler
// (windowed-sinc, polyphase) that converts between any two sample rates with
// no discontinuities at chunk edges; a WAV reader and writer; and test
// helpers that generate tones and noise and measure level and SNR.
//
// Conventions: samples are signed 16-bit, little-endian on the wire;
// float32 samples are full-scale at ±1.0 (int16 value / 32768).
// Multichannel data is interleaved (L R L R ...).
//
// The conversion functions are append-style, like strconv.AppendInt: they
// append to dst and return the extended slice, so a caller that reuses its
// buffer (dst[:0]) allocates nothing in steady state.
//
// Functions in this package are safe for concurrent use; each stateful type
// states its own contract.
package pcm
