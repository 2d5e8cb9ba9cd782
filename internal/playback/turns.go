package playback

import (
	"sync"
	"time"
)

// MaxTurns bounds the turns a Turns ledger remembers: older ones are
// forgotten (their Played is 0).
const MaxTurns = 64

// Turns is the ledger behind a sink's fullduplex.PlaybackReporter: where
// each recent model turn's audio lies in the output's sample stream, in
// positions counted from the first sample ever queued (a device ring's
// write position, a Queue's pushed count, a file's length). The sink notes
// each stretch it queues (Note), marks a flush (Cut), and answers Played
// from the position the listener has heard up to. The zero value is an
// empty ledger at the rate given to Played.
//
// All methods are safe for concurrent use.
type Turns struct {
	mu    sync.Mutex
	spans map[int]turnSpan // by turn (mu)
	order []int            // the turns of spans, oldest first (mu)
}

// A turnSpan is where one turn's audio lies: [start, end). cut, when set,
// is the read position at the flush that dropped the rest of it.
type turnSpan struct {
	start, end uint64
	cut        uint64
	isCut      bool
}

// Note records that n samples of turn were queued at position at (the
// position of the first of them). Samples noted after a Cut of the turn
// count for nothing: the flush dropped them.
func (t *Turns) Note(turn int, at uint64, n int) {
	if n <= 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.spans == nil {
		t.spans = make(map[int]turnSpan)
	}
	span, ok := t.spans[turn]
	if !ok {
		span = turnSpan{start: at}
		t.order = append(t.order, turn)
		if len(t.order) > MaxTurns {
			delete(t.spans, t.order[0])
			t.order = append(t.order[:0], t.order[1:]...)
		}
	}
	if span.isCut {
		return
	}
	span.end = max(span.end, at+uint64(n))
	t.spans[turn] = span
}

// Cut marks a flush at read position r: after it, every turn has been
// played up to r at most (what the output had taken before the flush
// plays out; a turn read in full by then plays in full), and samples noted
// for these turns later count for nothing.
func (t *Turns) Cut(r uint64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for turn, span := range t.spans {
		if !span.isCut {
			span.cut, span.isCut = min(max(r, span.start), span.end), true
			t.spans[turn] = span
		}
	}
}

// Played returns how much of turn has been heard when the listener has
// heard every sample before position heard, at rate samples per second:
// the part of the turn's span before heard. Of a turn cut by a flush, it is
// everything before the cut at once: the output plays out what it had
// taken before the flush (a device's buffer), and nothing after. It is 0
// for a turn never noted or forgotten.
func (t *Turns) Played(turn int, heard uint64, rate int) time.Duration {
	t.mu.Lock()
	span, ok := t.spans[turn]
	t.mu.Unlock()
	if !ok || rate <= 0 {
		return 0
	}
	if span.isCut {
		heard = span.cut
	}
	if heard <= span.start {
		return 0
	}
	n := min(heard, span.end) - span.start
	return time.Duration(n/uint64(rate))*time.Second + time.Duration(n%uint64(rate))*time.Second/time.Duration(rate)
}
