package openai

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The input timeline maps session audio time to capture time within each
// chunk, stays bounded, and says nothing of audio it dropped or never had.
func TestInputTimeline(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	l := inputTimeline{rate: 24000}
	assert.Zero(t, l.at(0), "nothing written")
	const chunks = 3 * maxSpokenMarks
	for i := 1; i <= chunks; i++ {
		l.add(480, t0.Add(time.Duration(i)*20*time.Millisecond)) // 20 ms chunks stamped at their end
	}
	assert.LessOrEqual(t, len(l.marks), maxSpokenMarks)
	last := chunks * 20
	assert.Equal(t, t0.Add(time.Duration(last)*time.Millisecond), l.at(last))
	assert.Equal(t, t0.Add(time.Duration(last-30)*time.Millisecond), l.at(last-30), "inside a chunk")
	assert.Zero(t, l.at(last+20), "not written yet")
	assert.Zero(t, l.at(10), "dropped long ago")
	assert.Zero(t, l.at(-1))
}
