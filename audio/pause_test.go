package audio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Pause silences the next callback and keeps the queue; Resume plays on
// from the first sample not played, none lost or repeated; Flush ends a
// pause, so the next turn plays.
func TestSpeakerPauseResumesWhereItStopped(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 16000)
	defer sp.Close()
	ramp := make([]int16, 1600)
	for i := range ramp {
		ramp[i] = int16(i + 1)
	}
	require.Equal(t, len(ramp), sp.c.stage(ramp))
	sp.c.commit(len(ramp))
	out := make([]int16, 160)
	var played []int16
	drive := func() {
		sp.c.drive(nil, out, len(out), 0)
		for _, v := range out {
			if v != 0 {
				played = append(played, v)
			}
		}
	}
	drive()
	require.Len(t, played, 160)

	sp.Pause()
	for range 3 {
		drive()
		assert.Equal(t, make([]int16, 160), out, "silence while paused")
	}
	assert.Equal(t, 1600-160, sp.Stats().Queued, "the queue is kept")
	assert.True(t, sp.Playing(), "paused audio is still the model's")
	assert.Zero(t, sp.Stats().Underruns, "a pause is no underrun")

	sp.Resume()
	for range 9 {
		drive()
	}
	assert.Equal(t, ramp, played, "every sample played once, in order")

	// A Flush while paused drops the queue and lifts the pause.
	require.Equal(t, len(ramp), sp.c.stage(ramp))
	sp.c.commit(len(ramp))
	sp.Pause()
	sp.Flush()
	assert.Zero(t, sp.Stats().Queued)
	require.Equal(t, len(ramp), sp.c.stage(ramp))
	sp.c.commit(len(ramp))
	drive()
	assert.EqualValues(t, 1, out[0], "the next turn plays after a flush")
}
