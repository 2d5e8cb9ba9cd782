// Package audiotest runs tests against a headless audio rig: a PulseAudio
// server with two null sinks, "speaker" (the default sink; record what
// programs play from speaker.monitor) and "mic" (its monitor is the default
// source; play a WAV into it and a program's microphone hears it), as
// .ci/start-audio.sh starts it.
//
// RequireRig skips a test when no rig is reachable — except under CI=true,
// where it fails — and serialises every test process that uses the rig.
// Record captures a sink's monitor; Play speaks a WAV file into a sink.
// It is pure Go and drives the rig with pactl, parec and paplay
// (pulseaudio-utils).
package audiotest
