package playback

import (
	"math"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A Meter measures an output's level for an echo gate: the RMS of each block
// played (linear, 1.0 is full scale), held as a peak that decays
// exponentially with time constant Decay once the output goes quiet.
//
// It is the one Go implementation of the meter. audio.Speaker computes the
// same numbers in C, inside its PortAudio callback (audio/fdpa.c), because
// no Go code may run on the audio thread; a test in package audio drives
// both with the same blocks and times and requires the same levels.
//
// Note is for one goroutine at a time; Level is safe from any goroutine.
type Meter struct {
	decay float64 // ns

	mu    sync.Mutex // guards level and at: one fact, read and written together
	level float64
	at    int64 // monotonic ns when level was computed
}

// NewMeter returns a Meter whose peak decays with time constant decay
// (at least 1 ns).
func NewMeter(decay time.Duration) *Meter {
	return &Meter{decay: float64(max(1, decay.Nanoseconds()))}
}

// Note records that block was played at now (nanoseconds on a monotonic
// clock): the level becomes the block's RMS or the decayed peak, whichever
// is higher.
func (m *Meter) Note(block []int16, now int64) {
	rms := pcm.RMS(block)
	m.mu.Lock()
	m.level, m.at = max(rms, m.decayedLocked(now)), now
	m.mu.Unlock()
}

// Level returns the level at now (nanoseconds on the clock Note uses).
func (m *Meter) Level(now int64) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.decayedLocked(now)
}

func (m *Meter) decayedLocked(now int64) float64 {
	l := m.level
	if l > 0 && now > m.at {
		l *= math.Exp(-float64(now-m.at) / m.decay)
	}
	return l
}
