package audio

/*
#include "fdpa.h"
*/
import "C"

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// maxTurnSpans bounds the turns whose played position a Speaker keeps.
const maxTurnSpans = 64

// A turnSpan is where one model turn's audio lies in the ring, in samples
// ever written: [start, end). cut, when set, is the read position at the
// Flush that dropped the rest of the turn.
type turnSpan struct {
	start, end uint64
	cut        uint64
	isCut      bool
}

var _ fullduplex.PlaybackReporter = (*Speaker)(nil)

// Played reports how much of model turn turn (the MetaTurn of its audio
// symbols) the listener has heard: the samples the PortAudio callback
// handed to the device, less those the device still holds, as PortAudio's
// output DAC time says (so it excludes the device's output latency and
// everything still queued in the ring). After a Flush it stops at what the
// device was given before the flush, which it plays out; the margin is one
// callback Period. It is 0 for a turn the Speaker has not played, and for
// turns older than the latest 64. Safe from any goroutine.
func (sp *Speaker) Played(turn int) time.Duration {
	sp.commitMu.Lock()
	span, ok := sp.spans[turn]
	sp.commitMu.Unlock()
	if !ok {
		return 0
	}
	pos := sp.heardPos(monotonicNow())
	if span.isCut {
		pos = min(pos, span.cut)
	}
	if pos <= span.start {
		return 0
	}
	return framesToDuration(int64(min(pos, span.end)-span.start), sp.rate)
}

// heardPos is the ring position (in samples ever written) the listener has
// heard up to at now: the latest callback's first sample, moved on by the
// time since that sample reached the DAC, never past what the callbacks
// have read.
func (sp *Speaker) heardPos(now time.Duration) uint64 {
	var r0 C.uint64_t
	var dac C.int64_t
	if C.fd_position(sp.c.s, &r0, &dac) == 0 {
		return 0
	}
	read := sp.c.stats().r
	off := int64(now-time.Duration(dac)) * int64(sp.rate) / int64(time.Second)
	pos := int64(r0) + off
	if pos < 0 {
		return 0
	}
	return min(uint64(pos), read)
}

// noteTurn records that n samples of the current turn were published at
// write position w. commitMu must be held.
func (sp *Speaker) noteTurnLocked(w uint64, n int) {
	if !sp.hasTurn || n == 0 {
		return
	}
	if sp.spans == nil {
		sp.spans = make(map[int]turnSpan)
	}
	span, ok := sp.spans[sp.turn]
	if !ok {
		span = turnSpan{start: w}
		sp.order = append(sp.order, sp.turn)
		if len(sp.order) > maxTurnSpans {
			delete(sp.spans, sp.order[0])
			sp.order = append(sp.order[:0], sp.order[1:]...)
		}
	}
	if span.isCut {
		return // flushed: nothing of it plays after the cut
	}
	span.end = w + uint64(n)
	sp.spans[sp.turn] = span
}

// cutTurnsLocked marks every turn not yet read in full as cut at read
// position r. commitMu must be held.
func (sp *Speaker) cutTurnsLocked(r uint64) {
	for t, span := range sp.spans {
		if !span.isCut && span.end > r {
			span.cut, span.isCut = max(r, span.start), true
			sp.spans[t] = span
		}
	}
}
