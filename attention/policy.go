package attention

import (
	"errors"
	"fmt"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// An Input is one source the attending Source reads. It is a plain value.
type Input struct {
	// Name labels the input's symbols (Metadata[fullduplex.MetaSource]) and
	// its floor in FloorChange. Required, unique within a Source.
	Name string
	// Source yields the input's symbols; io.EOF ends the input.
	Source fullduplex.Source
	// Priority orders the inputs: a claim by an input of higher priority
	// preempts a holder of lower priority (see Control). Default 0.
	Priority int
	// Ambient inputs (a camera, a sensor) pass whatever the floor, subject
	// to the Budget, and never hold it. Default false.
	Ambient bool
	// Transcriber, when set, is a connected stream that transcribes the
	// input, for an activation phrase without a speech-to-text step of
	// your own: a Gemini Live or OpenAI Realtime session, whose input
	// transcription is what the Source wants (it answers too; its answers
	// are dropped, and they cost tokens). Run sends it the input's audio
	// and takes the user transcripts it returns (text symbols with
	// MetaTranscript and RoleUser) as the input's, stamped with the media
	// time of the latest audio sent. When the input ends, Run ends the
	// transcriber's input (CloseSend, or SendEnd) and reads it to its end,
	// so the transcript of the last words still counts; a failure of the
	// transcriber is the input's. Run neither connects nor closes it.
	// Default nil.
	Transcriber fullduplex.DuplexStream
}

// Selective says what claims the floor. The zero value: voice activity in an
// input's audio and a typed (not transcribed) text line claim it. A plain
// value.
type Selective struct {
	// Phrase is an activation phrase such as "hey kiosk". When set, a floor
	// is taken only by an input whose transcript (a text Symbol with
	// MetaTranscript) contains it, by a typed line or by Relevance; voice
	// activity then only keeps a floor the input already holds. Matching
	// ignores case, punctuation and spacing, and finds the phrase across
	// the fragments of a transcript that comes in pieces ("Hey", " kiosk,")
	// as Live models send it. Default "": voice claims.
	Phrase string
	// Relevance, when set, is asked about each symbol of an input that
	// does not hold the floor and is not Ambient (an ambient input never
	// claims); true claims the floor for it. It is called
	// from the goroutine calling Next, must return quickly and must not
	// call the Source. Default nil.
	Relevance func(input string, s fullduplex.Symbol) bool
	// PassTranscripts passes the transcripts of the floor holder on like
	// its other symbols. Default false: transcripts steer attention and are
	// not sent (a backend would take them for typed turns).
	PassTranscripts bool
}

// Sustained says how the floor is held. The zero value means the defaults in
// the field comments. A plain value.
type Sustained struct {
	// MinSpeech is how long speech must last before it claims the floor:
	// shorter bursts (a cough, a door) are ignored. Default 100 ms.
	MinSpeech time.Duration
	// Hold is how long the holder keeps the floor after its last activity
	// (speech as the voice detector hears it, whose hangover bridges
	// 300 ms pauses; a typed line; a transcript); then the floor is
	// released (ReasonSilence). Default 1.5 s.
	Hold time.Duration
	// PreRoll is how much of the latest audio of an input without the
	// floor is kept and passed when it takes the floor, so the speech that
	// claimed the floor is not cut. Default 500 ms.
	PreRoll time.Duration
}

// Divided says how many inputs are attended to at once. The zero value:
// one, unmixed. A plain value.
type Divided struct {
	// Max is how many inputs may hold the floor at once. Default 1.
	Max int
	// Mix mixes the audio of the holders into one mono stream at MixRate
	// in Frame-long chunks, for a backend that takes one audio stream; each
	// mixed chunk's MetaSource names the inputs in it, joined with "+",
	// and its Timestamp is the media time of its start.
	//
	// The inputs are mixed in step by media time: an input that takes the
	// floor is placed by the Timestamp of its first chunk, so its audio
	// meets the others' audio of the same moment. The part of it whose
	// moment was already mixed (the pre-roll of a late holder, the audio
	// of an input that stalled) comes first, in chunks of its own, so
	// nothing is lost and nothing is mixed behind its time. When one input
	// runs five chunks ahead of another, chunks are mixed without waiting.
	//
	// Mixed chunks allocate nothing: their Data is a ring owned by the
	// Source and is reused once MixKeep (3 s) more of mixed audio has been
	// returned, and their Metadata is shared and read-only. Whoever keeps
	// mixed audio longer than that (a queue, a recording) copies it;
	// DuplexSession.RunDuplex and the backends are done with a chunk when
	// Send returns, or keep it at most 1 s (gemini's reconnect buffer).
	// Default false: each input's audio passes as it is, labelled.
	Mix bool
	// MixRate is the sample rate of the mixed audio. Default 16000.
	MixRate int
	// Frame is the length of each mixed chunk. Default 20 ms.
	Frame time.Duration
}

// Control says what a preemption does. The zero value: a higher-priority
// claim takes the floor and the model's answer goes on. A plain value.
type Control struct {
	// Interrupt, when set, is called after an input preempts another, for
	// example DuplexSession.Interrupt to cut the model's answer (RunDuplex
	// sets it to the session's when it is nil). It is called from the
	// goroutine calling Next, must not block, and must not call back into
	// the Source.
	Interrupt func()
}

// Budget limits what is sent, per modality. The zero value limits nothing.
// A plain value.
type Budget struct {
	// Video and Image limit the frames of each input.
	Video, Image FrameBudget
	// DropSilence does not send audio in which the input's voice detector
	// hears no speech (its hangover included), for a backend that does not
	// need silence to find the end of a turn. Default false.
	DropSilence bool
}

// A FrameBudget limits the video frames or images of each input. The zero
// value limits nothing. A plain value.
type FrameBudget struct {
	// PerSecond is the most frames a second each input may send, in media
	// time; 0: no limit.
	PerSecond float64
	// MinChange, 0 to 1, is how different a frame must be from the last
	// one sent of that input (see Difference) to be sent; 0: every frame.
	MinChange float64
	// Difference measures how different next is from prev, 0 (same) to 1.
	// Default DefaultDifference.
	Difference func(prev, next []byte) float64
}

// A Config configures a Source. The zero value attends to one speaker at a
// time by voice activity, with the default holding, no budget and no
// events. A plain value; New copies it.
type Config struct {
	Selective Selective
	Sustained Sustained
	Divided   Divided
	Control   Control
	Budget    Budget
	// OnEvent receives every change of the floor as an EventMetadata whose
	// Data is a FloorChange. It is called from the goroutine calling Next,
	// in order, and must return quickly; it may call Stats and Floor.
	// Default nil.
	OnEvent func(fullduplex.StreamEvent)
}

// Defaults of Config.
const (
	DefaultMinSpeech = 100 * time.Millisecond
	DefaultHold      = 1500 * time.Millisecond
	DefaultPreRoll   = 500 * time.Millisecond
	DefaultMixRate   = 16000
	DefaultMixFrame  = 20 * time.Millisecond
)

// ErrConfig marks an invalid Config or Input.
var ErrConfig = errors.New("attention: invalid config")

func (c Config) withDefaults(inputs []Input) (Config, error) {
	if len(inputs) == 0 {
		return c, fmt.Errorf("%w: no inputs", ErrConfig)
	}
	names := map[string]bool{}
	for i, in := range inputs {
		switch {
		case in.Name == "":
			return c, fmt.Errorf("%w: input %d has no name", ErrConfig, i)
		case names[in.Name]:
			return c, fmt.Errorf("%w: two inputs are named %q", ErrConfig, in.Name)
		case in.Source == nil:
			return c, fmt.Errorf("%w: input %q has no source", ErrConfig, in.Name)
		}
		names[in.Name] = true
	}
	s := &c.Sustained
	for _, d := range []struct {
		name string
		v    *time.Duration
		def  time.Duration
	}{
		{"MinSpeech", &s.MinSpeech, DefaultMinSpeech},
		{"Hold", &s.Hold, DefaultHold},
		{"PreRoll", &s.PreRoll, DefaultPreRoll},
		{"Frame", &c.Divided.Frame, DefaultMixFrame},
	} {
		switch {
		case *d.v == 0:
			*d.v = d.def
		case *d.v < 0:
			return c, fmt.Errorf("%w: negative %s %v", ErrConfig, d.name, *d.v)
		}
	}
	d := &c.Divided
	switch {
	case d.Max == 0:
		d.Max = 1
	case d.Max < 0:
		return c, fmt.Errorf("%w: Divided.Max %d", ErrConfig, d.Max)
	}
	switch {
	case d.MixRate == 0:
		d.MixRate = DefaultMixRate
	case d.MixRate < 1000 || d.MixRate > 384000:
		return c, fmt.Errorf("%w: Divided.MixRate %d Hz (want 1000 to 384000)", ErrConfig, d.MixRate)
	}
	for _, fb := range []*FrameBudget{&c.Budget.Video, &c.Budget.Image} {
		if fb.PerSecond < 0 || fb.MinChange < 0 || fb.MinChange > 1 {
			return c, fmt.Errorf("%w: frame budget PerSecond %g, MinChange %g (want ≥ 0 and 0 to 1)", ErrConfig, fb.PerSecond, fb.MinChange)
		}
		if fb.Difference == nil {
			fb.Difference = DefaultDifference
		}
	}
	return c, nil
}

// DefaultDifference is the share of differing bytes between prev and next,
// compared at up to 4096 evenly spaced positions, with a difference in
// length counting as different bytes. It suits raw frames; for compressed
// images it tells a still scene from a changing one only roughly.
func DefaultDifference(prev, next []byte) float64 {
	n, m := len(prev), len(next)
	if n == 0 && m == 0 {
		return 0
	}
	short, long := min(n, m), max(n, m)
	if short == 0 {
		return 1
	}
	step := max(1, short/4096)
	diff, seen := 0, 0
	for i := 0; i < short; i += step {
		seen++
		if prev[i] != next[i] {
			diff++
		}
	}
	same := float64(seen-diff) / float64(seen) * float64(short) / float64(long)
	return 1 - same
}
