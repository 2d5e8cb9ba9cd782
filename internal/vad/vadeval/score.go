package vadeval

import (
	"fmt"
	"slices"
	"time"
)

// A FrameFunc judges one frame: is it speech? It is called with the frames
// of a Stream in order, from one goroutine.
type FrameFunc func(frame []int16) (bool, error)

// The barge-in rule of audio/bargein's Watcher at its defaults: speech must
// last BargeInMinSpeech, pauses up to BargeInMaxGap do not restart the
// count, and after an interrupt a pause longer than BargeInRearm re-arms it.
const (
	BargeInMinSpeech = 200 * time.Millisecond
	BargeInMaxGap    = 60 * time.Millisecond
	BargeInRearm     = 500 * time.Millisecond
)

// BargeInWindow: an interrupt counts as triggered by an utterance if it
// fires between the utterance's first speech frame and this long after its
// last; any other interrupt is false.
const BargeInWindow = 300 * time.Millisecond

// A Result scores one detector on one Stream. It is a plain value; Score
// returns a new one each time.
type Result struct {
	TP, FP, FN, TN int // frames
	// Onsets: per utterance, the time from the start of its first speech
	// frame to the end of the first frame at or after it that the detector
	// calls speech (so one frame is the least possible); -1 if the detector
	// found nothing within the utterance.
	Onsets []time.Duration
	// Caught: utterances that would have interrupted the model (the
	// barge-in rule fired inside the utterance's window).
	Caught int
	// BargeIn: per caught utterance, the time from its first speech frame
	// to the end of the frame that fired the interrupt.
	BargeIn []time.Duration
	// FalseBargeIns: interrupts outside every utterance's window.
	FalseBargeIns int
	// FalseAt: the frames at which the false barge-ins fired.
	FalseAt []int
}

// Precision is TP/(TP+FP), 0 without positives.
func (r Result) Precision() float64 { return ratio(r.TP, r.TP+r.FP) }

// Recall is TP/(TP+FN), 0 without speech.
func (r Result) Recall() float64 { return ratio(r.TP, r.TP+r.FN) }

// F1 is the harmonic mean of Precision and Recall.
func (r Result) F1() float64 { return ratio(2*r.TP, 2*r.TP+r.FP+r.FN) }

// Missed counts the utterances without any detected frame.
func (r Result) Missed() int {
	n := 0
	for _, o := range r.Onsets {
		if o < 0 {
			n++
		}
	}
	return n
}

// OnsetPercentile returns the p-th percentile (0 to 100, nearest rank) of
// the onsets of the utterances that were found, 0 if none was.
func (r Result) OnsetPercentile(p float64) time.Duration {
	var found []time.Duration
	for _, o := range r.Onsets {
		if o >= 0 {
			found = append(found, o)
		}
	}
	return percentile(found, p)
}

// BargeInPercentile returns the p-th percentile of BargeIn, 0 if empty.
func (r Result) BargeInPercentile(p float64) time.Duration {
	return percentile(r.BargeIn, p)
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	d = slices.Clone(d)
	slices.Sort(d)
	i := int(p/100*float64(len(d))+0.5) - 1
	return d[max(0, min(len(d)-1, i))]
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// Run feeds every frame of s to judge and scores the verdicts.
func Run(s Stream, judge FrameFunc) (Result, error) {
	verdicts := make([]bool, s.Frames())
	for i := range verdicts {
		v, err := judge(s.Samples[i*s.FrameLen : (i+1)*s.FrameLen])
		if err != nil {
			return Result{}, fmt.Errorf("vadeval: frame %d: %w", i, err)
		}
		verdicts[i] = v
	}
	return Score(s, verdicts), nil
}

// Score scores per-frame verdicts (one per frame of s) against s's labels.
func Score(s Stream, verdicts []bool) Result {
	var r Result
	for i, label := range s.Labels {
		switch v := verdicts[i]; {
		case v && label:
			r.TP++
		case v:
			r.FP++
		case label:
			r.FN++
		default:
			r.TN++
		}
	}
	frame := time.Duration(s.FrameLen) * time.Second / time.Duration(s.Rate)
	for _, u := range s.Utterances {
		onset := time.Duration(-1)
		for i := u.Start; i < u.End; i++ {
			if verdicts[i] {
				onset = time.Duration(i-u.Start+1) * frame
				break
			}
		}
		r.Onsets = append(r.Onsets, onset)
	}
	fires := BargeIns(verdicts, frame)
	window := int(BargeInWindow / frame)
	caught := make([]bool, len(s.Utterances))
	for _, f := range fires {
		hit := false
		for j, u := range s.Utterances {
			if f >= u.Start && f < u.End+window {
				hit = true
				if !caught[j] {
					caught[j] = true
					r.Caught++
					r.BargeIn = append(r.BargeIn, time.Duration(f-u.Start+1)*frame)
				}
				break
			}
		}
		if !hit {
			r.FalseBargeIns++
			r.FalseAt = append(r.FalseAt, f)
		}
	}
	return r
}

// BargeIns returns the indexes of the frames (each frame long) at which the
// barge-in rule would interrupt a model that talked all the time.
func BargeIns(verdicts []bool, frame time.Duration) []int {
	var fires []int
	var run, gap time.Duration
	armed := true
	for i, v := range verdicts {
		if v {
			run += frame
			gap = 0
		} else {
			gap += frame
			if gap > BargeInMaxGap {
				run = 0
			}
			if gap > BargeInRearm {
				armed = true
			}
		}
		if armed && run >= BargeInMinSpeech {
			armed = false
			fires = append(fires, i)
		}
	}
	return fires
}
