package audio

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The Speaker's level history (the C callback's ring): LevelAt reads the
// level as it was at a past moment, and says when the moment is older than
// the history kept.
func TestSpeakerLevelAt(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 48000)
	defer sp.Close()
	out := make([]int16, 480)
	for range 3 {
		sp.c.drive(nil, out, 480, 0)
	}
	quiet := time.Now()
	time.Sleep(5 * time.Millisecond) // the tone comes strictly after quiet
	for _, s := range toneSymbols(1000, 0.5, 48000, 50*time.Millisecond) {
		require.NoError(t, sp.Write(context.Background(), s))
	}
	for range 5 {
		sp.c.drive(nil, out, 480, 0)
	}
	loud := time.Now()
	l, ok := sp.LevelAt(quiet)
	assert.True(t, ok)
	assert.Zero(t, l, "silence before the tone")
	l, ok = sp.LevelAt(loud)
	assert.True(t, ok)
	assert.InDelta(t, 0.5/math.Sqrt2, l, 0.05, "the tone's RMS")
	later, _ := sp.LevelAt(loud.Add(250 * time.Millisecond))
	assert.InDelta(t, l/math.E, later, 0.02, "decays with LevelDecay")

	// Over 5 s of callbacks later, those moments are out of the history.
	for range 600 {
		sp.c.drive(nil, out, 480, 0)
	}
	_, ok = sp.LevelAt(loud)
	assert.False(t, ok, "older than the history")
	_, ok = sp.LevelAt(time.Now())
	assert.True(t, ok)
}
