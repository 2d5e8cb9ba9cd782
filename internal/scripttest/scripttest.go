package scripttest

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// A Clock is a clock the test moves by hand; safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Add moves the clock on by d.
func (c *Clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// A Source yields what the test sends on it and io.EOF once it is closed.
type Source chan fd.Symbol

// Next returns the next symbol sent, io.EOF after close, or ctx's error.
func (s Source) Next(ctx context.Context) (fd.Symbol, error) {
	select {
	case sym, ok := <-s:
		if !ok {
			return fd.Symbol{}, io.EOF
		}
		return sym, nil
	case <-ctx.Done():
		return fd.Symbol{}, ctx.Err()
	}
}

// At returns s stamped t.
func At(s fd.Symbol, t time.Time) fd.Symbol { s.Timestamp = t; return s }

// Model returns s as the model's (MetaRole model), stamped t.
func Model(s fd.Symbol, t time.Time) fd.Symbol { return At(s.WithMeta(fd.MetaRole, fd.RoleModel), t) }

// UserTranscript returns a final transcript of the user's speech, stamped t.
func UserTranscript(text string, t time.Time) fd.Symbol {
	return At(fd.TextSymbol(text).WithMeta(fd.MetaRole, fd.RoleUser).WithMeta(fd.MetaTranscript, true).WithMeta(fd.MetaFinal, true), t)
}

// ModelAudio returns ms milliseconds of silent model audio of turn at 24
// kHz, stamped t.
func ModelAudio(turn, ms int, t time.Time) fd.Symbol {
	return At(fd.AudioSymbol(make([]byte, 48*ms), 24000).WithMeta(fd.MetaRole, fd.RoleModel).WithMeta(fd.MetaTurn, turn), t)
}

// Event returns an event of type typ with data, stamped t.
func Event(typ fd.EventType, data any, t time.Time) fd.StreamEvent {
	return fd.StreamEvent{Type: typ, Data: data, Timestamp: t}
}

// A Sink keeps what it is written, and its Flush takes FlushCost on Clock
// (the time a real speaker takes to go silent). Safe for concurrent use.
type Sink struct {
	Clock     *Clock
	FlushCost time.Duration

	mu      sync.Mutex
	changed chan struct{}
	items   []fd.StreamItem
}

// Write keeps item.
func (s *Sink) Write(_ context.Context, item fd.StreamItem) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.items = append(s.items, item)
	if s.changed != nil {
		close(s.changed)
		s.changed = nil
	}
	return nil
}

// Flush moves Clock on by FlushCost.
func (s *Sink) Flush() {
	if s.Clock != nil {
		s.Clock.Add(s.FlushCost)
	}
}

// Items returns what was written so far.
func (s *Sink) Items() []fd.StreamItem {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]fd.StreamItem(nil), s.items...)
}

// WaitItems waits until n items were written and returns them all.
func (s *Sink) WaitItems(t testing.TB, n int) []fd.StreamItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		s.mu.Lock()
		items := append([]fd.StreamItem(nil), s.items...)
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		ch := s.changed
		s.mu.Unlock()
		if len(items) >= n {
			return items
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("waiting for %d items, have %d: %v", n, len(items), items)
		}
	}
}

// WaitEvent waits for the first event of type typ after the first from
// items and returns it and the count of items up to it.
func (s *Sink) WaitEvent(t testing.TB, from int, typ fd.EventType) (fd.StreamEvent, int) {
	t.Helper()
	for n := from + 1; ; n++ {
		items := s.WaitItems(t, n)
		if ev, ok := items[n-1].(fd.StreamEvent); ok && ev.Type == typ {
			return ev, n
		}
	}
}

// WaitMetrics waits for the next EventMetrics after the first from items
// and returns its TurnMetrics and the count of items up to it.
func (s *Sink) WaitMetrics(t testing.TB, from int) (fd.TurnMetrics, int) {
	t.Helper()
	ev, n := s.WaitEvent(t, from, fd.EventMetrics)
	return ev.Data.(fd.TurnMetrics), n
}

// Summary returns the ConversationMetrics of the EventSummary written last.
func (s *Sink) Summary(t testing.TB) fd.ConversationMetrics {
	t.Helper()
	items := s.Items()
	if len(items) == 0 {
		t.Fatal("nothing written")
	}
	ev, ok := items[len(items)-1].(fd.StreamEvent)
	if !ok || ev.Type != fd.EventSummary {
		t.Fatalf("the last item is %v, not the summary", items[len(items)-1])
	}
	return ev.Data.(fd.ConversationMetrics)
}

// A Speaker is a Sink that is also a fd.PlaybackReporter: it has played
// what the test says with SetPlayed (a fullduplextest.FakeSpeaker's count).
type Speaker struct {
	Sink
	played fullduplextest.FakeSpeaker
}

// SetPlayed sets how much of turn has played.
func (s *Speaker) SetPlayed(turn int, d time.Duration) { s.played.SetPlayed(turn, d) }

// Played returns what SetPlayed set for turn, or 0.
func (s *Speaker) Played(turn int) time.Duration { return s.played.Played(turn) }
