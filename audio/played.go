package audio

/*
#include "fdpa.h"
*/
import "C"

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

var _ fullduplex.PlaybackReporter = (*Speaker)(nil)

// Played reports how much of model turn turn (the MetaTurn of its audio
// symbols) the listener has heard: the samples the PortAudio callback
// handed to the device, less those the device still holds by PortAudio's
// output DAC time (when the host API reports one; otherwise the device's
// latency is not subtracted), so neither the device's output latency nor
// anything still queued counts. After a Flush, a turn it cut counts what
// the device was given before the flush (within one callback Period),
// which the device plays out: the total the listener hears of it. It is 0 for a turn the Speaker has not played and for turns
// older than the latest 64. Safe from any goroutine.
func (sp *Speaker) Played(turn int) time.Duration {
	return sp.playedAt(turn, monotonicNow())
}

// playedAt is Played at now (monotonicNow's clock).
func (sp *Speaker) playedAt(turn int, now time.Duration) time.Duration {
	return sp.turns.Played(turn, uint64(C.fd_heard(sp.c.s, C.int64_t(now))), sp.rate)
}
