package realtime

import (
	"fmt"
	"time"
)

// A Trigger is a way the user's turn can be completed, which starts a model
// call. Triggers combine with |.
type Trigger uint8

// The triggers.
const (
	// TriggerEndOfSpeech completes the turn when the voice activity
	// detector finds the end of speech in the incoming audio. Best for
	// models that take audio.
	TriggerEndOfSpeech Trigger = 1 << iota
	// TriggerFinalTranscript completes the turn on a text symbol with
	// Metadata[fullduplex.MetaTranscript] and Metadata[fullduplex.MetaFinal]
	// both true: the speech-to-text step is done. Best for text models; it
	// comes later than TriggerEndOfSpeech.
	TriggerFinalTranscript
	// TriggerSendEnd completes the turn on SendEnd.
	TriggerSendEnd
	// TriggerText completes the turn on a typed text symbol (one that is
	// not a transcript), and on any symbol with Metadata[MetaTurnComplete]
	// set to true: a chat message is a whole turn.
	TriggerText
)

// DefaultTriggers are the triggers used when Config.Triggers is zero.
const DefaultTriggers = TriggerEndOfSpeech | TriggerSendEnd | TriggerText

// MetaTurnComplete is a Metadata key (bool): a symbol sent with it set to
// true completes the user's turn when TriggerText is on.
const MetaTurnComplete = "turn_complete"

// Defaults of Config.
const (
	DefaultWindow       = 10 * time.Minute
	DefaultMinSpeech    = 100 * time.Millisecond
	DefaultHangover     = 500 * time.Millisecond
	DefaultPreRoll      = 300 * time.Millisecond
	DefaultOutputBuffer = 256
)

// Config configures a Stream. The zero value means the defaults given in
// each field's comment. NewStream copies it.
type Config struct {
	// Window is how far back the prompt reaches: content added longer ago
	// than Window is cut from the history before each model call. Default
	// 10 minutes; a negative Window keeps everything.
	Window time.Duration
	// MaxTurns, when positive, keeps only the last MaxTurns turns (user and
	// model turns each count one). Default 0: no limit besides Window.
	MaxTurns int

	// MaxImages, when positive, keeps only the newest MaxImages images and
	// video frames in the prompt: a turn model reads the whole prompt on
	// every call, so a camera feed would otherwise resend every frame.
	// Default 0: no limit besides Window and MaxTurns.
	MaxImages int

	// Triggers selects what completes the user's turn. Default
	// DefaultTriggers: end of speech, SendEnd and typed text.
	Triggers Trigger
	// DisableBargeIn turns off barge-in on the start of user speech (the
	// same name as audio.Options.DisableBargeIn). Default false: when the
	// detector finds speech while the model is answering, the answer is cut
	// off. A user turn completed while an answer is under way, and
	// InterruptOutput, cut it off either way.
	DisableBargeIn bool

	// MinSpeech is how long sound must last to count as speech (the voice
	// activity detector's minimum). Default 100 ms.
	MinSpeech time.Duration
	// Hangover is how long silence must last before the end of speech is
	// reported. Default 500 ms.
	Hangover time.Duration
	// PreRoll is how much audio from before the detected start of speech
	// is kept in the prompt, so the first syllable is not lost. Default
	// 300 ms.
	PreRoll time.Duration
	// KeepSilence keeps every audio chunk in the prompt. Default false:
	// when the detector runs (TriggerEndOfSpeech, or speech barge-in), only
	// speech and its pre-roll enter the prompt.
	KeepSilence bool

	// OutputBuffer is how many items of output may wait for Receive before
	// the model call is paused. Default 256.
	OutputBuffer int
	// EchoTranscripts passes user transcripts (text symbols with
	// MetaTranscript) through to Receive, tagged with MetaRole "user", as
	// the Live API does with input transcription. Default false.
	EchoTranscripts bool

	// Now is the clock used to stamp content and cut the window. Default
	// time.Now; tests inject a fake clock.
	Now func() time.Time
}

// withDefaults validates c and fills its zero fields.
func (c Config) withDefaults() (Config, error) {
	if c.Window == 0 {
		c.Window = DefaultWindow
	}
	if c.MaxTurns < 0 {
		return c, fmt.Errorf("realtime: negative MaxTurns %d", c.MaxTurns)
	}
	if c.MaxImages < 0 {
		return c, fmt.Errorf("realtime: negative MaxImages %d", c.MaxImages)
	}
	if c.Triggers == 0 {
		c.Triggers = DefaultTriggers
	}
	durations := []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"MinSpeech", &c.MinSpeech, DefaultMinSpeech},
		{"Hangover", &c.Hangover, DefaultHangover},
		{"PreRoll", &c.PreRoll, DefaultPreRoll},
	}
	for _, d := range durations {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return c, fmt.Errorf("realtime: negative %s %v", d.name, *d.v)
		}
	}
	switch {
	case c.OutputBuffer == 0:
		c.OutputBuffer = DefaultOutputBuffer
	case c.OutputBuffer < 0:
		return c, fmt.Errorf("realtime: negative OutputBuffer %d", c.OutputBuffer)
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// listens reports whether the voice activity detector must run.
func (c Config) listens() bool {
	return c.Triggers&TriggerEndOfSpeech != 0 || !c.DisableBargeIn
}
