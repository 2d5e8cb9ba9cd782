// Package vad detects voice activity in 16-bit mono PCM, in pure Go.
//
// A Detector consumes consecutive frames of audio (10 to 30 ms is typical;
// frames of 5 to 100 ms work, shorter ones give unreliable levels) and reports transitions: SpeechStart once
// speech has lasted Config.MinSpeech, SpeechEnd once it has been absent for
// Config.Hangover. The EnergyDetector classifies each frame by its level
// against an adaptive noise floor and by its zero-crossing rate, which
// separates speech from silence and from steady broadband noise such as
// white noise or hiss.
//
// It is the default detector for client-side barge-in (a SpeechStart while
// the model is talking interrupts it) and for end-of-speech turn triggers.
// It does not know the difference between the user's voice and the model's
// voice leaking from a speaker: echo must be cancelled or gated upstream.
package vad
