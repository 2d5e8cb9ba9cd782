package fullduplex

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// A stamp lies between two readings of time.Now around it, on the
// monotonic clock and on the wall clock alike (no clock step happens in a
// test), so Timestamps order with time.Now.
func TestStampBetweenNows(t *testing.T) {
	before := time.Now()
	s := AudioSymbol(make([]byte, 640), 16000).Timestamp
	after := time.Now()
	assert.False(t, s.Before(before), "stamp %v before %v", s, before)
	assert.False(t, s.After(after), "stamp %v after %v", s, after)
	wall := func(t time.Time) time.Time { return t.Round(0) }
	assert.WithinDuration(t, wall(before), wall(s), time.Second, "wall time of the stamp")
	assert.NotEqual(t, s, s.Round(0), "stamp has a monotonic reading")
}

var stampSink time.Time

// BenchmarkStamp is the stamp of every Symbol and StreamEvent, beside
// time.Now in the same run.
func BenchmarkStamp(b *testing.B) {
	b.Run("stamp", func(b *testing.B) {
		for b.Loop() {
			stampSink = stamp()
		}
	})
	b.Run("time.Now", func(b *testing.B) {
		for b.Loop() {
			stampSink = time.Now()
		}
	})
}
