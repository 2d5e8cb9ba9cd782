package vad

import (
	"fmt"
	"testing"
)

// BenchmarkProcess measures one 20 ms frame of speech through the
// EnergyDetector.
func BenchmarkProcess(b *testing.B) {
	for _, rate := range []int{16000, 48000} {
		b.Run(fmt.Sprintf("%dHz-20ms", rate), func(b *testing.B) {
			speech := loadSpeech(b, "hello.wav", rate)
			n := rate / 50
			d, err := New(Config{SampleRate: rate})
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(2 * n))
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if i+n > len(speech) {
					i = 0
				}
				if _, err := d.Process(speech[i : i+n]); err != nil {
					b.Fatal(err)
				}
				i += n
			}
		})
	}
}
