package vad

import (
	"fmt"
	"math"
	"time"
)

// GMMConfig configures a GMMDetector. The zero value means the defaults
// given in each field's comment. NewGMM copies it.
type GMMConfig struct {
	// SampleRate of the audio in Hz, 8000 to 384000. 8000 and 16000 are
	// analysed directly; other rates are resampled to 8000 Hz first, which
	// costs more CPU. Default 16000.
	SampleRate int

	// MinSpeech is how long speech must last before SpeechStart is
	// reported. Default 100 ms.
	MinSpeech time.Duration

	// Hangover is how long non-speech must last before SpeechEnd is
	// reported. Default 300 ms.
	Hangover time.Duration

	// HighPassHz is the cut-off of a second-order Butterworth high-pass
	// filter applied to the input first, below 4000. Default 0: 110 Hz
	// (DefaultGMMHighPassHz); negative: none.
	HighPassHz float64
}

// DefaultGMMHighPassHz is GMMConfig.HighPassHz's default. It removes
// rumble and most of a brown (low-pitched) background below the voice;
// measured on the benchmark corpus, 110 Hz kept brown noise at 0 dB SNR from
// ever reading as speech where 80 Hz did not, at no cost on clean speech.
const DefaultGMMHighPassHz = 110.0

// MaxGMMFrame is the longest frame GMMDetector.Process takes.
const MaxGMMFrame = 100 * time.Millisecond

func (c GMMConfig) withDefaults() (GMMConfig, error) {
	switch {
	case c.SampleRate == 0:
		c.SampleRate = DefaultSampleRate
	case c.SampleRate < 8000 || c.SampleRate > 384000:
		return c, fmt.Errorf("%w: sample rate %d Hz (want 8000 to 384000)", ErrConfig, c.SampleRate)
	}
	switch {
	case c.MinSpeech == 0:
		c.MinSpeech = DefaultMinSpeech
	case c.MinSpeech < 0:
		return c, fmt.Errorf("%w: negative MinSpeech %v", ErrConfig, c.MinSpeech)
	}
	switch {
	case c.Hangover == 0:
		c.Hangover = DefaultHangover
	case c.Hangover < 0:
		return c, fmt.Errorf("%w: negative Hangover %v", ErrConfig, c.Hangover)
	}
	switch {
	case math.IsNaN(c.HighPassHz) || c.HighPassHz >= 4000:
		return c, fmt.Errorf("%w: HighPassHz %g (want below 4000, or negative for none)", ErrConfig, c.HighPassHz)
	case c.HighPassHz == 0:
		c.HighPassHz = DefaultGMMHighPassHz
	}
	return c, nil
}
