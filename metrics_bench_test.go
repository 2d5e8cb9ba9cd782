package fullduplex_test

import (
	"context"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
)

// BenchmarkMetrics runs the RunDuplex throughput workloads with
// DuplexSession.Metrics off and on, in the same run: what measuring every
// turn costs per symbol.
func BenchmarkMetrics(b *testing.B) {
	for _, on := range []bool{false, true} {
		name := "off"
		if on {
			name = "on"
		}
		metrics := func(s *fd.DuplexSession) {
			if on {
				s.Metrics = &fd.MetricsConfig{Prices: fd.Prices{Input: map[fd.Modality]float64{"": 1}}}
			}
		}
		b.Run("Receive/"+name, func(b *testing.B) {
			l, sink := newLoopback(b.N, 0), &countSink{}
			s := fd.NewDuplexSession(l)
			metrics(s)
			b.ReportAllocs()
			b.ResetTimer()
			if err := s.RunDuplex(context.Background(), nil, sink); err != nil {
				b.Fatal(err)
			}
			perSecond(b, b.N)
		})
		b.Run("Both/"+name, func(b *testing.B) {
			l, src, sink := newLoopback(b.N, b.N), &micSource{s: mic, n: b.N}, &countSink{}
			s := fd.NewDuplexSession(l)
			metrics(s)
			b.ReportAllocs()
			b.ResetTimer()
			if err := s.RunDuplex(context.Background(), src, sink); err != nil {
				b.Fatal(err)
			}
			perSecond(b, b.N)
		})
	}
}

// BenchmarkMetricsPaired measures the same as BenchmarkMetrics/Receive and
// /Both, but alternates metrics off and on every block of 10,000 symbols
// within one run, so that both see the same load of the machine; it
// reports each side's ns per symbol and their ratio.
func BenchmarkMetricsPaired(b *testing.B) {
	const block = 10000
	for _, both := range []bool{false, true} {
		name := "Receive"
		if both {
			name = "Both"
		}
		b.Run(name, func(b *testing.B) {
			var spent [2]time.Duration
			run := func(on bool) {
				send := 0
				if both {
					send = block
				}
				l, sink := newLoopback(block, send), &countSink{}
				s := fd.NewDuplexSession(l)
				var src fd.Source
				if both {
					src = &micSource{s: mic, n: block}
				}
				i := 0
				if on {
					s.Metrics = &fd.MetricsConfig{}
					i = 1
				}
				t0 := time.Now()
				if err := s.RunDuplex(context.Background(), src, sink); err != nil {
					b.Fatal(err)
				}
				spent[i] += time.Since(t0)
			}
			blocks := max(1, b.N/block)
			b.ResetTimer()
			for k := range blocks {
				// Alternate which goes first, so neither always warms up the other.
				run(k%2 == 1)
				run(k%2 == 0)
			}
			n := float64(blocks * block)
			off, on := float64(spent[0].Nanoseconds())/n, float64(spent[1].Nanoseconds())/n
			b.ReportMetric(off, "off-ns/symbol")
			b.ReportMetric(on, "on-ns/symbol")
			b.ReportMetric(on/off, "on/off")
		})
	}
}
