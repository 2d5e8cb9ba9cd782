package fullduplex

import "time"

// Heard is what the listener really heard of a model turn that was cut off:
// the Heard of its TurnEnd, which a backend fills when a PlaybackReporter
// (see PlaybackUser) said how much of the turn was played. The OpenAI
// backend truncates the model's memory of the answer to the same point; a
// backend that cannot (Gemini) still tells the application, which can log
// what the user really heard. A plain value, safe to share.
type Heard struct {
	// Audio is how much of the turn's audio was played when it was cut,
	// at most Received.
	Audio time.Duration
	// Received is how much of the turn's audio had arrived.
	Received time.Duration
	// Transcript is the part of the turn's output transcript (or text)
	// spoken in Audio: the same share of what had arrived of it as Audio is
	// of Received (an estimate: the services time no words).
	Transcript string
}
