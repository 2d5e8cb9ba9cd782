package audio

/*
#include "fdpa.h"
*/
import "C"

import (
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

var _ bargein.LevelHistory = (*Speaker)(nil)

// levelScratch holds the buffers one LevelAt call reads the device's level
// history into.
type levelScratch struct {
	t      [C.FD_HIST]C.int64_t
	rms    [C.FD_HIST]C.float
	levels []bargein.TimedLevel
}

var levelScratchPool = sync.Pool{New: func() any { return new(levelScratch) }}

// LevelAt returns the output level at time t, a moment of the last few
// seconds, as Level would have read then: a peak of the output that had
// reached the speaker by t (each callback's RMS from when PortAudio expects
// it at the device's output), decaying with LevelDecay; ok is false when t
// is older than the history kept (about 5 s). The barge-in watcher compares
// each microphone frame with the level at the frame's capture time
// (bargein.LevelHistory). Safe from any goroutine.
func (sp *Speaker) LevelAt(t time.Time) (level float64, ok bool) {
	sc := levelScratchPool.Get().(*levelScratch)
	defer levelScratchPool.Put(sc)
	n := int(C.fd_hist_read(sp.c.s, &sc.t[0], &sc.rms[0], C.FD_HIST))
	// Older entries exist than those read: the history may not reach t.
	full := sp.c.stats().callbacks > int64(n)
	// Monotonic ns to wall time, as the microphone's timestamps.
	off := time.Now().Add(-monotonicNow())
	sc.levels = sc.levels[:0]
	for i := range n {
		sc.levels = append(sc.levels, bargein.TimedLevel{At: off.Add(time.Duration(sc.t[i])), Level: float64(sc.rms[i])})
	}
	return bargein.PeakAt(sc.levels, full, t, sp.cfg.LevelDecay)
}

// outputDelay is the delay from the latest callback to when PortAudio
// expects its audio at the device's output.
func (sp *Speaker) outputDelay() time.Duration { return time.Duration(C.fd_dac_delay(sp.c.s)) }
