package web_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/web"
)

// BenchmarkFlushToClear measures barge-in on the wire: from Flush, with
// 1 s of model audio just written (50 frames of 20 ms, queued or on their
// way), to the Go page reading the clear message. The baseline, idle, is a
// transcript line written on an idle connection, to the page reading it:
// a Flush that waited behind the queued audio would cost about 50 of
// those.
func BenchmarkFlushToClear(b *testing.B) {
	for _, mode := range []string{"idle", "flush"} {
		b.Run("mode="+mode, func(b *testing.B) { benchFlush(b, mode) })
	}
}

func benchFlush(b *testing.B, mode string) {
	sent := make(chan time.Time)
	next := make(chan struct{})
	h, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		audio := fullduplex.AudioSymbol(make([]byte, 960), 24000)
		for turn := 0; ; turn++ {
			select {
			case <-next:
			case <-ctx.Done():
				return nil
			}
			var t0 time.Time
			if mode == "flush" {
				for range 50 {
					if err := c.Write(ctx, audio.WithMeta(fullduplex.MetaTurn, turn)); err != nil {
						return err
					}
				}
				t0 = time.Now()
				c.Flush()
			} else {
				t0 = time.Now()
				if err := c.Write(ctx, fullduplex.TextSymbol("hello")); err != nil {
					return err
				}
			}
			sent <- t0
		}
	}})
	if err != nil {
		b.Fatal(err)
	}
	srv := newServer(h)
	defer func() { srv.Close(); h.Close() }()
	ws := dialB(b, srv.URL)
	defer ws.Close()
	var lat []time.Duration
	b.ResetTimer()
	for range b.N {
		next <- struct{}{}
		var got time.Time
		for got.IsZero() {
			mt, data, err := ws.ReadMessage()
			if err != nil {
				b.Fatal(err)
			}
			m, err := web.DecodeServer(mt, data, web.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			switch m.(type) {
			case web.ServerClear, web.ServerTranscript:
				got = time.Now()
			}
		}
		lat = append(lat, got.Sub(<-sent))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}
