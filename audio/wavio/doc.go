// Package wavio reads and writes WAV files as a fullduplex.Source and
// fullduplex.Sink, in pure Go: for tests and for headless runs without a
// sound card or PortAudio.
//
// A Source yields a WAV file's audio as 16-bit mono symbols at the backend's
// input rate (16 kHz by default) in 20 ms chunks, optionally paced in real
// time like a microphone. A Sink writes the audio it receives to a WAV file;
// paced in real time it behaves like a speaker: it queues, "plays" (writes)
// on its own clock, writes silence while idle so the file keeps wall-clock
// time, drops its queue on Flush, and reports what it is playing for echo
// gating and barge-in (see package audio/bargein).
package wavio
