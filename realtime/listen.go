package realtime

import (
	"fmt"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// A listener runs the voice activity detector over incoming audio in 20 ms
// frames, whatever the size of the chunks, and keeps the pre-roll: the
// audio heard just before speech was detected. It is guarded by its
// Stream's mutex.
type listener struct {
	cfg      Config
	det      *vad.EnergyDetector
	rate     int
	frame    []int16 // samples waiting for a whole frame
	samples  []int16 // scratch for decoding
	preRoll  []fullduplex.Symbol
	preBytes int
}

// hear runs the detector over an audio chunk (16-bit mono PCM) and returns
// the transitions it completes, in order.
func (l *listener) hear(s fullduplex.Symbol) ([]vad.Event, error) {
	rate := s.SampleRate()
	if l.det == nil || rate != l.rate {
		det, err := vad.New(vad.Config{SampleRate: rate, MinSpeech: l.cfg.MinSpeech, Hangover: l.cfg.Hangover})
		if err != nil {
			return nil, fmt.Errorf("%w: realtime cannot detect speech in this audio: %v", fullduplex.ErrInvalidSymbol, err)
		}
		l.det, l.rate, l.frame = det, rate, l.frame[:0]
		l.preRoll, l.preBytes = nil, 0
	}
	var err error
	l.samples, err = pcm.DecodeInt16(l.samples[:0], s.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", fullduplex.ErrInvalidSymbol, err)
	}
	n := rate / 50 // 20 ms
	var events []vad.Event
	in := l.samples
	for len(in) > 0 {
		take := min(n-len(l.frame), len(in))
		l.frame = append(l.frame, in[:take]...)
		in = in[take:]
		if len(l.frame) < n {
			break
		}
		ev, err := l.det.Process(l.frame)
		l.frame = l.frame[:0]
		if err != nil {
			return events, err
		}
		if ev != vad.None {
			events = append(events, ev)
		}
	}
	return events, nil
}

// speaking reports whether the detector is inside speech.
func (l *listener) speaking() bool { return l.det != nil && l.det.Speaking() }

// hold keeps s in the pre-roll, dropping what is older than cfg.PreRoll.
func (l *listener) hold(s fullduplex.Symbol) {
	l.preRoll = append(l.preRoll, s)
	l.preBytes += len(s.Data)
	limit := int(2 * int64(s.SampleRate()) * int64(l.cfg.PreRoll) / int64(time.Second))
	for len(l.preRoll) > 1 && l.preBytes-len(l.preRoll[0].Data) >= limit {
		l.preBytes -= len(l.preRoll[0].Data)
		l.preRoll[0] = fullduplex.Symbol{}
		l.preRoll = l.preRoll[1:]
	}
}

// takePreRoll returns the pre-roll and forgets it.
func (l *listener) takePreRoll() []fullduplex.Symbol {
	p := l.preRoll
	l.preRoll, l.preBytes = nil, 0
	return p
}
