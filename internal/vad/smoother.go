package vad

// A smoother turns per-frame verdicts into SpeechStart and SpeechEnd
// events: speech must last minSpeech samples before it starts, and
// non-speech hangover samples before it ends. The zero value with the two
// durations set is a fresh stream.
type smoother struct {
	minSpeech, hangover int64 // samples

	speaking   bool
	speechRun  int64 // samples of consecutive speech frames
	silenceRun int64 // samples of consecutive non-speech frames while speaking
}

// step takes the verdict on the next n samples and returns the transition
// it completes.
func (s *smoother) step(speech bool, n int64) Event {
	if speech {
		s.speechRun += n
		s.silenceRun = 0
	} else {
		s.speechRun = 0
		if s.speaking {
			s.silenceRun += n
		}
	}
	switch {
	case !s.speaking && speech && s.speechRun >= s.minSpeech:
		s.speaking = true
		s.silenceRun = 0
		return SpeechStart
	case s.speaking && !speech && s.silenceRun >= s.hangover:
		s.speaking = false
		s.speechRun = 0
		return SpeechEnd
	}
	return None
}

// reset starts a new stream.
func (s *smoother) reset() { *s = smoother{minSpeech: s.minSpeech, hangover: s.hangover} }
