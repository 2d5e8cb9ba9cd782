package loadstat

import (
	"fmt"
	"os"
	"runtime/metrics"
	"slices"
	"time"
)

// Sched is a snapshot of the runtime's histogram of how long runnable
// goroutines waited for a thread: high values mean the process did not get
// the CPU it wanted. A plain value.
type Sched struct{ h *metrics.Float64Histogram }

// ReadSched returns the histogram so far.
func ReadSched() Sched {
	s := []metrics.Sample{{Name: "/sched/latencies:seconds"}}
	metrics.Read(s)
	return Sched{s[0].Value.Float64Histogram()}
}

// P99Since returns the 99th percentile of the waits since before (the
// upper bound of its bucket), 0 when there were none.
func (s Sched) P99Since(before Sched) time.Duration {
	if s.h == nil {
		return 0
	}
	var total uint64
	counts := make([]uint64, len(s.h.Counts))
	for i := range counts {
		counts[i] = s.h.Counts[i]
		if before.h != nil {
			counts[i] -= before.h.Counts[i]
		}
		total += counts[i]
	}
	var acc uint64
	for i, c := range counts {
		acc += c
		if total > 0 && acc*100 >= total*99 {
			return time.Duration(s.h.Buckets[i+1] * float64(time.Second))
		}
	}
	return 0
}

// CPUPressure returns the share of the last 10 s, in percent, in which
// some runnable task on the machine waited for a CPU (Linux PSI,
// /proc/pressure/cpu); false where the system does not report it.
func CPUPressure() (float64, bool) {
	data, err := os.ReadFile("/proc/pressure/cpu")
	if err != nil {
		return 0, false
	}
	return parsePressure(string(data))
}

func parsePressure(s string) (float64, bool) {
	var avg float64
	if _, err := fmt.Sscanf(s, "some avg10=%f", &avg); err != nil {
		return 0, false
	}
	return avg, true
}

// Percentile returns the p-th percentile (0 to 100) of d, sorting d; 0
// for none.
func Percentile(d []time.Duration, p int) time.Duration {
	if len(d) == 0 {
		return 0
	}
	slices.Sort(d)
	return d[min(len(d)-1, len(d)*p/100)]
}

// MS returns d in milliseconds, for b.ReportMetric.
func MS(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
