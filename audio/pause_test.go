package audio

import (
	"testing"
	"time"

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

// A pause drops what the device holds (its output latency): the samples
// it had been given but not played by the pause go back to the queue, so
// the resume starts at the first sample not heard, none lost or repeated;
// the played position counts only what was heard, and the echo
// reference keeps one sample per sample of the device's clock across the
// stream's restart (silence for the gap).
func TestSpeakerPauseTakesBackWhatTheDeviceHeld(t *testing.T) {
	const rate, frames = 16000, 160 // 10 ms callbacks
	const period, dacDelay = 10 * time.Millisecond, 100 * time.Millisecond
	sp := fakeSpeaker(t, SpeakerConfig{}, rate)
	defer sp.Close()
	ramp := make([]int16, 8000)
	for i := range ramp {
		ramp[i] = int16(i + 1)
	}
	require.Equal(t, len(ramp), sp.c.stage(ramp))
	sp.c.commit(len(ramp))
	out := make([]int16, frames)
	var played []int16
	now := time.Hour // the monotonic clock of the fake device
	drive := func() {
		sp.c.driveDAC(out, frames, now, dacDelay)
		for _, v := range out {
			if v != 0 {
				played = append(played, v)
			}
		}
		now += period
	}
	for range 20 {
		drive()
	}
	// The callbacks ran at 0..190 ms, each reaching the DAC 100 ms later:
	// at 200 ms the first ten (1600 samples) have been heard.
	require.Len(t, played, 20*frames)
	sp.Pause()
	assert.Equal(t, 10*frames, sp.c.dropAt(now), "what the device held is taken back")
	assert.EqualValues(t, 10*frames, sp.Stats().Played, "only what was heard counts as played")
	assert.Equal(t, len(ramp)-10*frames, sp.Stats().Queued, "and is queued again")
	for _, later := range []time.Duration{0, 50 * time.Millisecond, 150 * time.Millisecond} {
		assert.EqualValues(t, 10*frames, sp.c.heardAt(now+later), "the played position stays where the pause was: the dropped callbacks never play")
	}

	now += 20 * time.Millisecond // the restart
	sp.Resume()
	heardBefore := len(played)
	for range 40 {
		drive()
	}
	resumed := played[heardBefore:]
	require.NotEmpty(t, resumed)
	assert.EqualValues(t, 10*frames+1, resumed[0], "the resume starts at the first sample not heard")
	for i := 1; i < len(resumed); i++ {
		require.Equal(t, resumed[i-1]+1, resumed[i], "no sample lost or repeated after the resume")
	}
	assert.Zero(t, sp.Stats().Underruns, "a pause is no underrun")

	// The reference: every callback's buffer, plus silence for the 20 ms
	// between the end of the last buffer before the restart (290+10 ms)
	// and the first after it (220+100 ms).
	ref := make([]int16, 96000)
	n := sp.ReadReference(ref)
	assert.Equal(t, 60*frames+2*frames, n, "one reference sample per sample of the device's clock")
	assert.Equal(t, make([]int16, 2*frames), ref[20*frames:22*frames], "silence for the restart's gap")
	assert.EqualValues(t, 10*frames+1, ref[22*frames], "then what the resumed callback played")
}
