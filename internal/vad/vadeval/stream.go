package vadeval

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// Labelling: a frame of a clean utterance is speech if its level is at most
// LabelRangeDB below the utterance's loudest frame; gaps of at most
// LabelBridge frames between speech frames (stop closures inside words)
// are speech too.
const (
	LabelRangeDB = 40.0
	LabelBridge  = 2
)

// SpeechLevelDB is the active speech level (RMS over the speech frames, dB
// relative to full scale) every utterance is scaled to before noise is
// added: a typical close-talking microphone level.
const SpeechLevelDB = -26.0

// A Stream is a signal with its ground truth, one label per frame.
// It is a plain value; its slices must not be modified while a Run uses it.
type Stream struct {
	Rate     int
	FrameLen int     // samples per labelled frame
	Samples  []int16 // len(Labels)*FrameLen samples
	Labels   []bool  // true: the frame is speech
	// Utterances: the frame ranges [Start, End) from each utterance's first
	// to its last speech frame.
	Utterances []Span
}

// A Span is a range of frames [Start, End), a plain value.
type Span struct{ Start, End int }

// Frames is the number of labelled frames.
func (s Stream) Frames() int { return len(s.Labels) }

// Label returns the per-frame labels of a clean utterance cut into frames of
// frameLen samples (a last partial frame is labelled as if zero-padded).
func Label(clean []int16, frameLen int) []bool {
	n := (len(clean) + frameLen - 1) / frameLen
	levels := make([]float64, n)
	peak := math.Inf(-1)
	for i := range n {
		levels[i] = pcm.DBFS(clean[i*frameLen : min(len(clean), (i+1)*frameLen)])
		peak = max(peak, levels[i])
	}
	labels := make([]bool, n)
	last := -1 // last speech frame
	for i, l := range levels {
		if l <= pcm.SilenceDB || l < peak-LabelRangeDB {
			continue
		}
		labels[i] = true
		if last >= 0 && i-last-1 <= LabelBridge {
			for j := last + 1; j < i; j++ {
				labels[j] = true
			}
		}
		last = i
	}
	return labels
}

// Build lays utterances end to end in one clean stream: lead of silence,
// then each utterance followed by gap of silence, every part a whole number
// of frames. Each utterance is scaled to SpeechLevelDB over its speech
// frames.
func Build(utts [][]int16, rate int, frame, lead, gap time.Duration) (Stream, error) {
	frameLen := int(int64(rate) * int64(frame) / int64(time.Second))
	if frameLen <= 0 || len(utts) == 0 {
		return Stream{}, errors.New("vadeval: Build needs utterances and a frame of at least one sample")
	}
	leadN := int(lead / frame)
	gapN := int(gap / frame)
	s := Stream{Rate: rate, FrameLen: frameLen}
	s.Labels = make([]bool, leadN)
	for i, u := range utts {
		labels := Label(u, frameLen)
		var energy float64
		var count int
		first, last := -1, -1
		for f, speech := range labels {
			if !speech {
				continue
			}
			if first < 0 {
				first = f
			}
			last = f
			for _, v := range u[f*frameLen : min(len(u), (f+1)*frameLen)] {
				energy += float64(v) * float64(v)
				count++
			}
		}
		if first < 0 {
			return Stream{}, fmt.Errorf("vadeval: utterance %d has no speech", i)
		}
		gain := pcm.DBToAmplitude(SpeechLevelDB) * 32768 / math.Sqrt(energy/float64(count))
		base := len(s.Labels)
		s.Utterances = append(s.Utterances, Span{base + first, base + last + 1})
		s.Labels = append(s.Labels, labels...)
		s.Labels = append(s.Labels, make([]bool, gapN)...)
		samples := make([]int16, len(labels)*frameLen)
		for j, v := range u {
			samples[j] = clip(float64(v) * gain)
		}
		s.Samples = append(s.Samples, make([]int16, base*frameLen-len(s.Samples))...) // lead or gap
		s.Samples = append(s.Samples, samples...)
	}
	s.Samples = append(s.Samples, make([]int16, len(s.Labels)*frameLen-len(s.Samples))...)
	return s, nil
}

// WithNoise returns a copy of s with noise added at snrDB below the speech
// level: noise (repeated if shorter than s) is scaled so that its RMS over
// the stream is SpeechLevelDB-snrDB dBFS. Digital silence as noise is an
// error.
func (s Stream) WithNoise(noise []int16, snrDB float64) (Stream, error) {
	if len(noise) == 0 {
		return Stream{}, errors.New("vadeval: empty noise")
	}
	var energy float64
	for i := range s.Samples {
		v := float64(noise[i%len(noise)])
		energy += v * v
	}
	rms := math.Sqrt(energy / float64(len(s.Samples)))
	if rms == 0 {
		return Stream{}, errors.New("vadeval: noise is digital silence")
	}
	gain := pcm.DBToAmplitude(SpeechLevelDB-snrDB) * 32768 / rms
	out := s
	out.Samples = make([]int16, len(s.Samples))
	for i, v := range s.Samples {
		out.Samples[i] = clip(float64(v) + gain*float64(noise[i%len(noise)]))
	}
	return out, nil
}

func clip(v float64) int16 {
	return int16(max(math.MinInt16, min(math.MaxInt16, math.Round(v))))
}
