package audio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A commit and a Flush that land while the callback is between its reads of
// the ring's write and flush positions: no flushed sample plays, in that
// callback or any later one.
func TestFlushRacingTheCallbackIsNotUndone(t *testing.T) {
	for _, period := range []int{160, 480, 1000} {
		c, err := newCStream(false, 1, 48000, 4800, 0)
		require.NoError(t, err)
		chunk := make([]int16, 1000)
		for i := range chunk {
			chunk[i] = 1000
		}
		require.Equal(t, len(chunk), c.stage(chunk))
		c.raceNextCallback(len(chunk))
		played := 0
		out := make([]int16, period)
		for range 5 {
			c.drive(nil, out, period, 0)
			for _, v := range out {
				if v != 0 {
					played++
				}
			}
		}
		assert.Zero(t, played, "flushed samples played (%d-frame callbacks)", period)
		assert.Zero(t, c.queued(), "nothing left queued after the flush")
		// The ring still plays what is written after the flush.
		require.Equal(t, len(chunk), c.stage(chunk))
		c.commit(len(chunk))
		c.drive(nil, out, period, 0)
		assert.EqualValues(t, 1000, out[0], "audio after the flush plays")
		require.NoError(t, c.close())
	}
}
