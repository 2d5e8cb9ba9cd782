package loadstat

import (
	"runtime"
	"time"
)

// A Snapshot is the state of the process at one moment. A plain value.
type Snapshot struct {
	at         time.Time
	cpu        time.Duration
	sched      Sched
	heap       int64 // bytes in use
	goroutines int
}

// Take returns the state now; with gc it collects garbage first (for the
// baseline of the heap).
func Take(gc bool) Snapshot {
	if gc {
		runtime.GC()
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return Snapshot{at: time.Now(), cpu: CPUTime(), sched: ReadSched(), heap: int64(m.HeapInuse), goroutines: runtime.NumGoroutine()}
}

// A Run is what one load test measured: N connections of Seconds each.
// A plain value.
type Run struct {
	Unit    string // what a connection is called in the metrics: "call", "conn"
	N       int
	Seconds int
	// Before is taken (Take(true)) before the first connection, Start and
	// End while every connection streams, Final after the last ended.
	Before, Start, End, Final Snapshot

	Up, Down                []time.Duration // per frame, of the connections that did not fail
	Failed, Lost, Reordered int
}

// Reporter is what Report writes to: a *testing.B.
type Reporter interface{ ReportMetric(n float64, unit string) }

// Report writes the metrics of r:
//
//   - up-p50/p99-ms, down-p50/p99-ms: the latencies per direction;
//   - cpu%/UNIT: the whole run's CPU time per second of connection, in
//     percent of one core;
//   - process-cpu%: what the process got while every connection streamed
//     (on a loaded host this is capped by the other processes);
//   - heap-KiB/UNIT, goroutines/UNIT: held while every connection streamed;
//   - sched-p99-ms: how long runnable goroutines waited for a thread then;
//   - host-cpu-pressure-%: Linux PSI now, where the system reports it;
//   - failed-UNITs, lost, reordered, frames/UNIT.
func (r Run) Report(b Reporter) {
	n := float64(max(r.N, 1))
	b.ReportMetric(MS(Percentile(r.Up, 50)), "up-p50-ms")
	b.ReportMetric(MS(Percentile(r.Up, 99)), "up-p99-ms")
	b.ReportMetric(MS(Percentile(r.Down, 50)), "down-p50-ms")
	b.ReportMetric(MS(Percentile(r.Down, 99)), "down-p99-ms")
	b.ReportMetric(100*(r.Final.cpu-r.Before.cpu).Seconds()/(n*float64(max(r.Seconds, 1))), "cpu%/"+r.Unit)
	if wall := r.End.at.Sub(r.Start.at); wall > 0 {
		b.ReportMetric(100*(r.End.cpu-r.Start.cpu).Seconds()/wall.Seconds(), "process-cpu%")
	}
	b.ReportMetric(float64(r.End.heap-r.Before.heap)/n/1024, "heap-KiB/"+r.Unit)
	b.ReportMetric(float64(r.End.goroutines-r.Before.goroutines)/n, "goroutines/"+r.Unit)
	b.ReportMetric(MS(r.End.sched.P99Since(r.Start.sched)), "sched-p99-ms")
	if p, ok := CPUPressure(); ok {
		b.ReportMetric(p, "host-cpu-pressure-%")
	}
	b.ReportMetric(float64(r.Failed), "failed-"+r.Unit+"s")
	b.ReportMetric(float64(r.Lost), "lost")
	b.ReportMetric(float64(r.Reordered), "reordered")
	b.ReportMetric(float64(len(r.Up))/float64(max(1, r.N-r.Failed)), "frames/"+r.Unit)
}
