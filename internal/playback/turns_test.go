package playback

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// Each turn counts its own samples only, up to what was heard.
func TestTurnsPlayedPerTurn(t *testing.T) {
	var l Turns
	l.Note(1, 0, 1000)
	l.Note(1, 1000, 1000)
	l.Note(2, 2500, 500) // 500 untagged samples in between
	const rate = 1000
	for _, tc := range []struct {
		heard        uint64
		turn1, turn2 time.Duration
	}{
		{0, 0, 0},
		{500, 500 * time.Millisecond, 0},
		{2000, 2 * time.Second, 0},
		{2600, 2 * time.Second, 100 * time.Millisecond},
		{9000, 2 * time.Second, 500 * time.Millisecond},
	} {
		assert.Equal(t, tc.turn1, l.Played(1, tc.heard, rate), "turn 1 at %d", tc.heard)
		assert.Equal(t, tc.turn2, l.Played(2, tc.heard, rate), "turn 2 at %d", tc.heard)
	}
	assert.Zero(t, l.Played(3, 9000, rate), "a turn never noted")
	assert.Zero(t, l.Played(1, 9000, 0), "no rate")
}

// A flush stops every turn not read in full where the reader was (what the
// output had taken plays out: it counts at once); what comes after it of
// the same turn counts for nothing, a new turn counts.
func TestTurnsCut(t *testing.T) {
	var l Turns
	l.Note(1, 0, 1000)
	l.Note(2, 1000, 1000)
	l.Cut(300)
	l.Note(1, 2000, 500) // the flushed turn's audio still arriving
	l.Note(3, 2500, 100)
	assert.Equal(t, 300*time.Millisecond, l.Played(1, 5000, 1000))
	assert.Zero(t, l.Played(2, 5000, 1000), "cut before it started")
	assert.Equal(t, 100*time.Millisecond, l.Played(3, 5000, 1000))
	assert.Equal(t, 300*time.Millisecond, l.Played(1, 200, 1000), "what the output took before the flush plays out")
	assert.Equal(t, 50*time.Millisecond, l.Played(3, 2550, 1000), "a new turn follows the position")
	l.Cut(2600)
	assert.Equal(t, 100*time.Millisecond, l.Played(3, 2550, 1000), "read in full before the flush: it plays out")
	l.Note(3, 2600, 100)
	assert.Equal(t, 100*time.Millisecond, l.Played(3, 9000, 1000), "nothing noted after the flush counts")
}

// Only the latest MaxTurns turns are kept.
func TestTurnsForgetsOldTurns(t *testing.T) {
	var l Turns
	for i := range MaxTurns + 1 {
		l.Note(i, uint64(i*10), 10)
	}
	heard := uint64((MaxTurns + 1) * 10)
	assert.Zero(t, l.Played(0, heard, 1000))
	assert.Equal(t, 10*time.Millisecond, l.Played(1, heard, 1000))
	assert.Equal(t, 10*time.Millisecond, l.Played(MaxTurns, heard, 1000))
}

// Long turns at high rates do not overflow.
func TestTurnsLongTurn(t *testing.T) {
	var l Turns
	n := 48000 * 3600 * 10 // ten hours at 48 kHz
	l.Note(1, 1<<40, n)
	assert.Equal(t, 10*time.Hour, l.Played(1, 1<<41, 48000))
}
