package vad

import (
	"fmt"
	"math"
	"time"
)

// Config configures an EnergyDetector. The zero value means the defaults
// given in each field's comment. New copies the Config, so changing it
// afterwards has no effect on a detector.
type Config struct {
	// SampleRate of the audio in Hz, 1000 to 768000. Default 16000.
	SampleRate int

	// MinSpeech is how long speech must last before SpeechStart is
	// reported; shorter bursts (clicks, a cough, a door) are ignored.
	// Default 100 ms.
	MinSpeech time.Duration

	// Hangover is how long non-speech must last before SpeechEnd is
	// reported, so pauses between words do not end the speech.
	// Default 300 ms. Use more (500-800 ms) to detect the end of a turn.
	Hangover time.Duration

	// ThresholdDB is how far above the noise floor, in dB, a frame's level
	// must be to count as speech. Default 6.
	ThresholdDB float64

	// MinLevelDB is the level (RMS, dB relative to full scale) below which a
	// frame never counts as speech, however quiet the background.
	// Must be negative. Default -50.
	MinLevelDB float64

	// MaxZCR is the zero-crossing rate (crossings per sample, 0 to 1)
	// above which a frame is treated as noise: white noise crosses zero
	// about 0.5 times per sample, voiced speech far less. Unvoiced sounds
	// (s, f, t) inside speech are bridged by the hangover. A frame more than
	// ThresholdDB+6 dB above the noise floor may cross up to 0.45 times per
	// sample (or MaxZCR, if higher): speech over noise crosses more often.
	// Default 0.4.
	MaxZCR float64

	// NoiseAdapt is the time constant with which the noise floor rises
	// towards a louder background that is not speech. The floor falls to a
	// quieter background within a few frames, and rises only very slowly
	// (about ten times NoiseAdapt) while a frame looks like speech, so a
	// steady low-pitched noise is absorbed after some seconds.
	// Default 1 s.
	NoiseAdapt time.Duration

	// HighPassHz is the cut-off of a second-order Butterworth high-pass
	// filter applied before a frame is measured, 0 to SampleRate/2.
	// Default 0: none. 80 removes rumble and brown (low-pitched) noise
	// below the voice, which the level and zero-crossing tests would
	// otherwise read as speech.
	HighPassHz float64
}

// Defaults.
const (
	DefaultSampleRate  = 16000
	DefaultMinSpeech   = 100 * time.Millisecond
	DefaultHangover    = 300 * time.Millisecond
	DefaultThresholdDB = 6.0
	DefaultMinLevelDB  = -50.0
	DefaultMaxZCR      = 0.4
	DefaultNoiseAdapt  = time.Second
)

// withDefaults validates c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	switch {
	case c.SampleRate == 0:
		c.SampleRate = DefaultSampleRate
	case c.SampleRate < 1000 || c.SampleRate > 768000:
		return c, fmt.Errorf("%w: sample rate %d Hz (want 1000 to 768000)", ErrConfig, c.SampleRate)
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"MinSpeech", &c.MinSpeech, DefaultMinSpeech},
		{"Hangover", &c.Hangover, DefaultHangover},
		{"NoiseAdapt", &c.NoiseAdapt, DefaultNoiseAdapt},
	}
	for _, d := range durations {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return c, fmt.Errorf("%w: negative %s %v", ErrConfig, d.name, *d.v)
		}
	}
	switch {
	case c.ThresholdDB == 0:
		c.ThresholdDB = DefaultThresholdDB
	case c.ThresholdDB < 0 || c.ThresholdDB > 100:
		return c, fmt.Errorf("%w: ThresholdDB %g (want 0 to 100)", ErrConfig, c.ThresholdDB)
	}
	switch {
	case c.MinLevelDB == 0:
		c.MinLevelDB = DefaultMinLevelDB
	case c.MinLevelDB > 0:
		return c, fmt.Errorf("%w: MinLevelDB %g is above full scale", ErrConfig, c.MinLevelDB)
	}
	switch {
	case c.MaxZCR == 0:
		c.MaxZCR = DefaultMaxZCR
	case c.MaxZCR < 0 || c.MaxZCR > 1:
		return c, fmt.Errorf("%w: MaxZCR %g (want 0 to 1)", ErrConfig, c.MaxZCR)
	}
	if math.IsNaN(c.HighPassHz) || c.HighPassHz < 0 || c.HighPassHz >= float64(c.SampleRate)/2 {
		return c, fmt.Errorf("%w: HighPassHz %g (want 0 to %d)", ErrConfig, c.HighPassHz, c.SampleRate/2)
	}
	return c, nil
}
