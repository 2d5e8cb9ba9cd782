package aec

import (
	"context"
	"testing"
)

// BenchmarkCancel: echo cancellation (200 ms filter) plus residual echo
// suppression of one 20 ms chunk at 16 kHz, after convergence.
//
//	go test -run '^$' -bench Cancel -benchmem ./audio/aec
func BenchmarkCancel(b *testing.B) {
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"linear", Config{NoSuppression: true}}, {"with-suppression", Config{}}} {
		b.Run(c.name, func(b *testing.B) {
			hello := load(b, "hello.wav")
			far := make([]int16, 0, 16000*30)
			for len(far) < cap(far)-len(hello) {
				far = append(far, hello...)
			}
			r := &room{far: far, delay: 800, gain: 0.5}
			can, err := New(r, r, c.cfg)
			if err != nil {
				b.Fatal(err)
			}
			defer can.Close()
			ctx := context.Background()
			for range 100 { // converge
				if _, err := can.Next(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := can.Next(ctx); err != nil {
					r.pos = 0 // loop the far end
					continue
				}
			}
		})
	}
}
