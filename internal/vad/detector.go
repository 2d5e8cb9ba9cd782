package vad

import "errors"

// An Event is a transition reported by a Detector. It is a plain value,
// safe to copy and share.
type Event int

// Events.
const (
	// None: no transition in this frame.
	None Event = iota
	// SpeechStart: speech has begun. It is reported once speech has lasted
	// the detector's minimum speech duration, so the speech started about
	// that long before the end of the frame that reports it.
	SpeechStart
	// SpeechEnd: speech has stopped. It is reported once non-speech has
	// lasted the hangover, so the speech ended about that long before the
	// end of the frame that reports it.
	SpeechEnd
)

// String returns "none", "speech_start" or "speech_end".
func (e Event) String() string {
	switch e {
	case None:
		return "none"
	case SpeechStart:
		return "speech_start"
	case SpeechEnd:
		return "speech_end"
	}
	return "vad.Event(?)"
}

// A Detector finds speech in consecutive frames of one audio stream.
// Implementations are not safe for concurrent use unless they say so; feed a
// Detector from one goroutine.
type Detector interface {
	// Process consumes the next frame of 16-bit mono samples and returns
	// the transition it completes, if any. An empty frame is an error.
	Process(frame []int16) (Event, error)
	// Speaking reports whether the detector is inside speech: true after
	// SpeechStart until SpeechEnd.
	Speaking() bool
	// Reset forgets the stream, including the noise estimate: the next
	// frame starts a new stream, not speaking.
	Reset()
}

// ErrEmptyFrame is returned by Process for a frame with no samples.
var ErrEmptyFrame = errors.New("vad: empty frame")

// ErrConfig is returned by New for an invalid Config.
var ErrConfig = errors.New("vad: invalid config")
