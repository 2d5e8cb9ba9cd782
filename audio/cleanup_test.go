package audio

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
)

func paUserCount() int {
	paMu.Lock()
	defer paMu.Unlock()
	return paUsers
}

// A Speaker dropped without Close: the leak backstop stops its PortAudio
// stream before it frees the ring the callback writes (no use after free;
// the race detector and the C allocator would see one) and releases
// PortAudio. Close stays the way to release a device.
func TestDroppedSpeakerStopsItsStreamBeforeFreeing(t *testing.T) {
	requireRig(t)
	before := paUserCount()
	func() {
		sp, err := OpenSpeaker(SpeakerConfig{})
		require.NoError(t, err)
		require.Equal(t, before+1, paUserCount())
		_ = sp.Stats()
	}()
	for i := 0; i < 50 && paUserCount() != before; i++ {
		runtime.GC() // the cleanup runs on its own goroutine after a cycle
		runtime.Gosched()
	}
	require.Equal(t, before, paUserCount(), "the dropped Speaker's stream was closed and PortAudio released")
	// PortAudio still works for the next user.
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	require.NoError(t, sp.Close())
	require.NoError(t, sp.Close(), "Close is idempotent")
}
