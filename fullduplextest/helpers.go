package fullduplextest

import (
	"context"
	"io"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// SliceSource returns a Source that yields symbols in order, then io.EOF.
// It is read by one goroutine at a time, like every Source.
func SliceSource(symbols ...fullduplex.Symbol) fullduplex.Source {
	i := 0
	return fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		if err := ctx.Err(); err != nil {
			return fullduplex.Symbol{}, err
		}
		if i >= len(symbols) {
			return fullduplex.Symbol{}, io.EOF
		}
		i++
		return symbols[i-1], nil
	})
}

// A Recorder is a Sink and Flusher that keeps everything written to it and
// counts flushes. It is safe for concurrent use.
type Recorder struct {
	mu      sync.Mutex
	items   []fullduplex.StreamItem
	flushes int
}

// Write records item.
func (r *Recorder) Write(_ context.Context, item fullduplex.StreamItem) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.items = append(r.items, item)
	return nil
}

// Flush counts a flush; it drops nothing, so a test sees what arrived before it.
func (r *Recorder) Flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushes++
}

// Items returns a copy of everything written so far.
func (r *Recorder) Items() []fullduplex.StreamItem {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]fullduplex.StreamItem(nil), r.items...)
}

// Flushes returns how many times Flush was called.
func (r *Recorder) Flushes() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.flushes
}

// Text returns the text of every text symbol written, concatenated.
func (r *Recorder) Text() string {
	var s string
	for _, it := range r.Items() {
		if sym, ok := it.(fullduplex.Symbol); ok {
			if t, ok := sym.TextValue(); ok {
				s += t
			}
		}
	}
	return s
}

// Events returns the types of the events written, in order.
func (r *Recorder) Events() []fullduplex.EventType {
	var ts []fullduplex.EventType
	for _, it := range r.Items() {
		if ev, ok := it.(fullduplex.StreamEvent); ok {
			ts = append(ts, ev.Type)
		}
	}
	return ts
}

// A FakeSpeaker is a Recorder that also reports, as a
// fullduplex.PlaybackReporter, how much of each model turn was played: as
// much as the test says with SetPlayed, so a test can cut a turn at a known
// play position. It is safe for concurrent use.
type FakeSpeaker struct {
	Recorder
	pmu    sync.Mutex
	played map[int]time.Duration
}

var _ fullduplex.PlaybackReporter = (*FakeSpeaker)(nil)

// SetPlayed sets how much of turn has been played.
func (s *FakeSpeaker) SetPlayed(turn int, d time.Duration) {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	if s.played == nil {
		s.played = map[int]time.Duration{}
	}
	s.played[turn] = d
}

// Played returns what SetPlayed set for turn, or 0.
func (s *FakeSpeaker) Played(turn int) time.Duration {
	s.pmu.Lock()
	defer s.pmu.Unlock()
	return s.played[turn]
}
