package geminitest

import (
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// Limits of the echo model's listening.
const (
	maxTurnSeconds = 30                     // audio kept for one turn; older is dropped
	preRollMS      = 300                    // audio kept from before the detected speech start
	turnEndSilence = 600 * time.Millisecond // silence that ends a spoken turn
	vadFrameMS     = 20                     // frame length given to the detector
)

// listener collects the user's audio for the echo model and, like the
// service's automatic activity detection, finds where a spoken turn ends.
// It is used by one connection's goroutine only.
type listener struct {
	rate     int
	heard    []byte // audio since the last answer, at most maxTurnSeconds
	start    int    // offset in heard where the current speech began, or -1
	det      *vad.EnergyDetector
	pending  []int16 // samples not yet making up a whole VAD frame
	answered bool    // the detector ended a turn since the last reset
	samples  []int16 // scratch
}

// add appends one chunk at rate. With detect it runs the voice activity
// detector and returns the spoken turn when its end is detected.
func (l *listener) add(chunk []byte, rate int, detect bool) (turn []byte) {
	if rate <= 0 || len(chunk)%2 != 0 {
		return nil
	}
	if rate != l.rate {
		l.reset()
		l.rate = rate
		l.det = nil
	}
	from := len(l.heard)
	l.heard = append(l.heard, chunk...)
	if max := maxTurnSeconds * 2 * rate; len(l.heard) > max {
		cut := len(l.heard) - max
		l.heard = append(l.heard[:0], l.heard[cut:]...)
		from -= cut
		if l.start >= 0 {
			l.start = max0(l.start - cut)
		}
	}
	if !detect {
		return nil
	}
	if l.det == nil {
		det, err := vad.New(vad.Config{SampleRate: rate, Hangover: turnEndSilence})
		if err != nil {
			return nil
		}
		l.det, l.start = det, -1
	}
	l.samples, _ = pcm.DecodeInt16(l.samples[:0], l.heard[max0(from):])
	l.pending = append(l.pending, l.samples...)
	frame := rate * vadFrameMS / 1000
	for len(l.pending) >= frame {
		ev, _ := l.det.Process(l.pending[:frame])
		l.pending = l.pending[frame:]
		switch ev {
		case vad.SpeechStart:
			back := (int(l.det.Config().MinSpeech.Milliseconds()) + preRollMS) * rate / 1000 * 2
			l.start = max0(len(l.heard) - 2*len(l.pending) - back)
		case vad.SpeechEnd:
			if l.start >= 0 {
				turn = append([]byte(nil), l.heard[l.start:]...)
				l.heard, l.start, l.answered = l.heard[:0], -1, true
			}
		}
	}
	l.pending = append(l.pending[:0], l.pending...)
	return turn
}

// take returns everything heard since the last answer (an explicit end of
// the turn: audioStreamEnd or activityEnd) and starts over.
func (l *listener) take() []byte {
	turn := l.heard
	l.reset()
	return turn
}

// endOfStream ends the audio stream under voice activity detection and
// starts over. It returns the speech in progress if the detector heard one
// start; nothing if the detector already ended a turn and no speech
// followed (that is only the silence after an answered turn); else, as
// take does, everything heard (audio too short for the detector is still
// answered, which keeps short test signals easy).
func (l *listener) endOfStream() []byte {
	turn := l.heard
	switch {
	case l.det != nil && l.start >= 0:
		turn = l.heard[l.start:]
	case l.answered:
		turn = nil
	}
	l.reset()
	return turn
}

func (l *listener) reset() {
	l.heard, l.start, l.pending, l.answered = nil, -1, l.pending[:0], false
	if l.det != nil {
		l.det.Reset()
	}
}

func max0(n int) int { return max(n, 0) }
