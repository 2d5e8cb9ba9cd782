package wavio

import (
	"time"

	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

var _ bargein.LevelHistory = (*Sink)(nil)

// LevelAt returns the output level of a Realtime Sink at time t of the last
// few seconds, as Level would have read then; ok is false when t is older
// than the history kept (about 5 s). A direct Sink never plays: 0, true.
// Safe from any goroutine.
func (s *Sink) LevelAt(t time.Time) (float64, bool) {
	if s.q == nil {
		return 0, true
	}
	return s.levels.At(t, s.cfg.LevelDecay)
}
