package fullduplex_test

import (
	"context"
	"testing"

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
