package loadstat

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestPercentile(t *testing.T) {
	assert.Zero(t, Percentile(nil, 99))
	d := []time.Duration{5, 1, 4, 2, 3, 6, 7, 8, 9, 10}
	assert.Equal(t, time.Duration(1), Percentile(d, 0))
	assert.Equal(t, time.Duration(6), Percentile(d, 50))
	assert.Equal(t, time.Duration(10), Percentile(d, 99))
	assert.Equal(t, time.Duration(10), Percentile(d, 100))
}

func TestParsePressure(t *testing.T) {
	p, ok := parsePressure("some avg10=88.87 avg60=64.28 avg300=27.17 total=8432413734\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n")
	assert.True(t, ok)
	assert.InDelta(t, 88.87, p, 1e-9)
	_, ok = parsePressure("nonsense")
	assert.False(t, ok)
}

// The p99 counts only the waits since the earlier snapshot, and is the
// upper bound of the bucket the 99th percentile falls in.
func TestSchedP99Since(t *testing.T) {
	buckets := []float64{0, 0.001, 0.01, 0.1}
	before := Sched{&metrics.Float64Histogram{Counts: []uint64{0, 0, 1000}, Buckets: buckets}}
	now := Sched{&metrics.Float64Histogram{Counts: []uint64{990, 10, 1000}, Buckets: buckets}}
	assert.Equal(t, time.Millisecond, now.P99Since(before))
	now.h.Counts[1] = 20
	assert.Equal(t, 10*time.Millisecond, now.P99Since(before))
	assert.Zero(t, before.P99Since(before), "no waits since")
	assert.Equal(t, 100*time.Millisecond, before.P99Since(Sched{}))
}

func TestCPUTimeGrows(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("no getrusage on " + runtime.GOOS)
	}
	t0 := CPUTime()
	x := 0
	for CPUTime() == t0 {
		x++ // burn CPU until the clock moves
	}
	assert.Greater(t, CPUTime(), t0)
}
