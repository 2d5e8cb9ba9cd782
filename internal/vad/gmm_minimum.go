package vad

import "math"

// minTracker follows the background level of one band: it keeps the 16
// smallest values of the last minWindow blocks, takes the third smallest
// (a minimum robust to one or two outliers) and smooths it, falling fast
// and rising slowly.
type minTracker struct {
	values [minKeep]float64 // ascending; +Inf where empty
	ages   [minKeep]int
	n      int // values held
	level  float64
}

const (
	minKeep   = 16
	minWindow = 100 // blocks
	minFall   = 0.2 // smoothing factor when the minimum falls
	minRise   = 0.99
	minStart  = 100.0 // dB: the smoothed level before the first block
)

func (t *minTracker) reset() {
	*t = minTracker{level: minStart}
	for i := range t.values {
		t.values[i] = math.Inf(1)
	}
}

// update adds x (the analysed-block count so far is analysed) and returns
// the smoothed minimum.
func (t *minTracker) update(x float64, analysed int) float64 {
	// Age the values and drop those older than the window.
	kept := 0
	for i := range t.n {
		if t.ages[i] >= minWindow {
			continue
		}
		t.values[kept], t.ages[kept] = t.values[i], t.ages[i]+1
		kept++
	}
	for i := kept; i < t.n; i++ {
		t.values[i] = math.Inf(1)
	}
	t.n = kept
	// Insert x if it is among the smallest.
	if t.n < minKeep || x < t.values[minKeep-1] {
		pos := t.n
		if pos == minKeep {
			pos--
		}
		for pos > 0 && t.values[pos-1] > x {
			t.values[pos], t.ages[pos] = t.values[pos-1], t.ages[pos-1]
			pos--
		}
		t.values[pos], t.ages[pos] = x, 1
		t.n = min(t.n+1, minKeep)
	}
	current := minStart
	switch {
	case analysed > 2:
		current = t.values[min(2, t.n-1)]
	case analysed > 0:
		current = t.values[0]
	}
	alpha := 0.0
	if analysed > 0 {
		alpha = minRise
		if current < t.level {
			alpha = minFall
		}
	}
	t.level = alpha*t.level + (1-alpha)*current
	return t.level
}
