package playback

import (
	"math"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

func TestMeterHoldsAPeakThatDecays(t *testing.T) {
	const ms = int64(time.Millisecond)
	m := NewMeter(100 * time.Millisecond)
	assert.Zero(t, m.Level(0), "silent before anything played")
	loud := pcm.AppendTone(nil, 440, 0.5, 16000, 160)
	quiet := pcm.AppendTone(nil, 440, 0.05, 16000, 160)
	m.Note(loud, 10*ms)
	peak := pcm.RMS(loud)
	assert.InDelta(t, peak, m.Level(10*ms), 1e-12)
	// A quieter block does not lower the level at once...
	m.Note(quiet, 20*ms)
	assert.InDelta(t, peak*math.Exp(-0.1), m.Level(20*ms), 1e-12)
	// ...it decays with the time constant...
	assert.InDelta(t, peak*math.Exp(-1.1), m.Level(120*ms), 1e-12)
	// ...down to the quieter level, which then holds for its block.
	m.Note(quiet, 500*ms)
	assert.InDelta(t, pcm.RMS(quiet), m.Level(500*ms), 1e-12)
	// A louder block raises it at once.
	m.Note(loud, 510*ms)
	assert.InDelta(t, peak, m.Level(510*ms), 1e-12)
	assert.InDelta(t, peak, m.Level(400*ms), 1e-12, "no decay backwards in time")
}

func TestMeterLevelFromAnyGoroutine(t *testing.T) {
	m := NewMeter(time.Second)
	block := pcm.AppendTone(nil, 440, 0.5, 16000, 160)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := range 1000 {
			m.Note(block, int64(i))
		}
	}()
	for range 1000 {
		l := m.Level(1000)
		assert.True(t, l == 0 || math.Abs(l-pcm.RMS(block)) < 1e-3, "level %v", l)
	}
	wg.Wait()
}
