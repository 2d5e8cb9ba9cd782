package audio

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/playback"
)

// The Speaker's level meter runs in C on the audio thread; the pure-Go sinks
// use playback.Meter. Both must give the same numbers for the same blocks
// at the same times, so that an echo gate tuned on one holds on the other.
func TestSpeakerLevelIsPlaybackMeter(t *testing.T) {
	const rate, period = 16000, 160 // 10 ms callbacks
	decay := 250 * time.Millisecond
	c, err := newCStream(false, 2, rate, rate, decay)
	require.NoError(t, err)
	m := playback.NewMeter(decay)

	var signal []int16
	signal = pcm.AppendTone(signal, 440, 0.6, rate, 30*period)          // loud
	signal = pcm.AppendTone(signal, 440, 0.05, rate, 20*period)         // quiet: the peak decays
	signal = pcm.AppendSilence(signal, 25*period)                       // silence
	signal = pcm.AppendTone(signal, 300, 0.3, rate, 10*period+period/2) // ends mid-callback
	now := monotonicNow()
	out := make([]int16, 2*period)
	block := make([]int16, period)
	for i := 0; i < len(signal)+20*period; i += period {
		if i < len(signal) {
			c.commit(c.stage(signal[i:min(i+period, len(signal))]))
		}
		now += 10 * time.Millisecond
		c.driveAt(nil, out, period, 0, now)
		for j := range block {
			block[j] = out[2*j] // what the callback played, silence padding included
		}
		m.Note(block, int64(now))
		require.InEpsilon(t, m.Level(int64(now)), c.levelAt(now), 1e-9, "callback %d", i/period)
		later := now + 7*time.Millisecond
		require.InEpsilon(t, m.Level(int64(later)), c.levelAt(later), 1e-9, "between callbacks %d", i/period)
	}
	require.Greater(t, c.levelAt(now), 0.0, "still decaying, not cut to zero")
}
