// Package bargein lets a user interrupt the model by talking over it: a
// Watcher reads the microphone's audio on its way to the session, runs a
// voice activity detector on it, and when the user has spoken for a minimum
// time while the speaker is playing, calls an interrupt function (normally
// fullduplex.DuplexSession.Interrupt, which flushes the speaker at once).
//
// # Echo
//
// With loudspeakers the microphone hears the model's own voice, and any
// voice detector takes it for the user. The Watcher gates the echo with what
// the speaker is playing (an OutputMonitor, e.g. *audio.Speaker): while
// the speaker plays at level L (dBFS, a decaying peak of its output), a mic
// frame counts as the user's speech only if it is at least
//
//	L + EchoGainDB + EchoMarginDB
//
// loud, where L is the speaker's level when the frame was captured (the
// Symbol's Timestamp) if the monitor keeps a history (LevelHistory), so a
// microphone that lags is compared with the words it heard; audio captured
// over Config.StaleAfter ago never counts as the user. EchoGainDB is the speaker-to-microphone coupling: how loud the echo
// arrives at the mic relative to the signal sent to the speaker (default
// 0 dB: the echo is no louder than the output itself, true of a laptop at a
// moderate volume; a quieter set-up can lower it, e.g. -20 dB). EchoMarginDB
// (default 6 dB) is the headroom above the expected echo. The gate is
// crude: while the model talks, the user must be louder than its echo. With
// headphones there is no echo: set DisableEchoGate and a normal voice
// interrupts. With an acoustic echo canceller in front of the Watcher
// (package audio/aec, speexdsp), set Config.EchoReduction to its measured
// reduction and the gate relaxes by that much once the canceller has
// converged, so a normal voice interrupts even with speakers.
//
// The package is pure Go.
package bargein
