package bargein

import (
	"math"
	"sync"
	"time"
)

// A LevelHistory is an OutputMonitor that also reports what its output
// level was in the recent past, so that the Watcher compares each
// microphone frame with the output at the moment the frame was captured
// (its Symbol's Timestamp), not with the output when the frame is
// analysed: a microphone that lags (a loaded machine, a backlog of
// buffered audio) would otherwise be compared with the wrong words, and
// the model could interrupt itself. *audio.Speaker and a realtime
// *wavio.Sink implement it. Its methods must be safe to call from any
// goroutine.
type LevelHistory interface {
	OutputMonitor
	// LevelAt returns the output level at time t, as Level would have
	// read then (linear RMS, a peak of the output that had reached the
	// speaker by t, decaying), and ok false when t is older than the
	// history kept.
	LevelAt(t time.Time) (level float64, ok bool)
}

// A TimedLevel is the level of one stretch of output (linear RMS) and
// when it reached the speaker.
type TimedLevel struct {
	At    time.Time
	Level float64
}

// PeakAt returns the decaying peak at t of levels, newest first: the
// maximum over the levels that had reached the speaker by t of
// Level·exp(−(t−At)/decay). ok is false when the history may not reach
// back to t: full (the oldest entry is the oldest kept) and newer than t.
func PeakAt(levels []TimedLevel, full bool, t time.Time, decay time.Duration) (level float64, ok bool) {
	decay = max(decay, time.Millisecond)
	for _, l := range levels {
		dt := t.Sub(l.At)
		if dt < 0 {
			continue // not played yet at t
		}
		if dt > 20*decay {
			return level, true // older ones have decayed away
		}
		level = max(level, l.Level*math.Exp(-dt.Seconds()/decay.Seconds()))
	}
	if full && len(levels) > 0 && levels[len(levels)-1].At.After(t) {
		return level, false
	}
	return level, true
}

// Levels keeps the latest output levels for an OutputMonitor that
// implements LevelHistory in Go (a realtime *wavio.Sink does). The zero
// value is ready; Note and At are safe from any goroutine.
type Levels struct {
	mu  sync.Mutex
	buf [levelsKept]TimedLevel // ring; buf[(w-1)%levelsKept] is the newest
	w   int
	out []TimedLevel
}

const levelsKept = 512 // about 5 s of 10 ms steps

// Note records that output at level reached the speaker at t (t must not
// go back).
func (l *Levels) Note(t time.Time, level float64) {
	l.mu.Lock()
	l.buf[l.w%levelsKept] = TimedLevel{At: t, Level: level}
	l.w++
	l.mu.Unlock()
}

// At returns PeakAt of the levels noted, for time t.
func (l *Levels) At(t time.Time, decay time.Duration) (float64, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := min(l.w, levelsKept)
	l.out = l.out[:0]
	for i := range n {
		l.out = append(l.out, l.buf[(l.w-1-i)%levelsKept])
	}
	return PeakAt(l.out, l.w > levelsKept, t, decay)
}
