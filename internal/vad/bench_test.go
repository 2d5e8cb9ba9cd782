package vad

import (
	"fmt"
	"testing"
	"time"
)

// framesPerHour is the number of 20 ms frames in an hour of audio.
const framesPerHour = 180000

// benchDetector times one 20 ms frame of speech (hello.wav, looped) through
// d and reports the CPU it would take for an hour of audio.
func benchDetector(b *testing.B, rate int, d Detector) {
	speech := loadSpeech(b, "hello.wav", rate)
	n := rate / 50
	b.SetBytes(int64(2 * n))
	b.ReportAllocs()
	i := 0
	start := time.Now()
	for b.Loop() {
		if i+n > len(speech) {
			i = 0
		}
		if _, err := d.Process(speech[i : i+n]); err != nil {
			b.Fatal(err)
		}
		i += n
	}
	perFrame := time.Since(start).Seconds() / float64(b.N)
	b.ReportMetric(perFrame*framesPerHour, "s/audio-hour")
}

// BenchmarkProcess measures the EnergyDetector, without and with its
// high-pass filter.
func BenchmarkProcess(b *testing.B) {
	for _, rate := range []int{16000, 48000} {
		for _, hp := range []float64{0, 80} {
			b.Run(fmt.Sprintf("%dHz-20ms-hp%g", rate, hp), func(b *testing.B) {
				d, err := New(Config{SampleRate: rate, HighPassHz: hp})
				if err != nil {
					b.Fatal(err)
				}
				benchDetector(b, rate, d)
			})
		}
	}
}

// BenchmarkGMM measures the GMMDetector: 16000 and 8000 Hz are analysed
// directly, other rates are resampled to 8000 Hz first.
func BenchmarkGMM(b *testing.B) {
	for _, rate := range []int{16000, 8000, 48000} {
		b.Run(fmt.Sprintf("%dHz-20ms", rate), func(b *testing.B) {
			d, err := NewGMM(GMMConfig{SampleRate: rate})
			if err != nil {
				b.Fatal(err)
			}
			benchDetector(b, rate, d)
		})
	}
}

// BenchmarkFeatures compares the measurement of an unfiltered 20 ms frame
// at 16 kHz in integers (what Process does) with the float copy it
// replaced (what it still does with a high-pass filter).
func BenchmarkFeatures(b *testing.B) {
	speech := loadSpeech(b, "hello.wav", 16000)
	frame := speech[len(speech)/2 : len(speech)/2+320]
	buf := make([]float64, 0, len(frame))
	b.Run("float", func(b *testing.B) {
		for b.Loop() {
			buf = buf[:0]
			for _, s := range frame {
				buf = append(buf, float64(s))
			}
			features(buf)
		}
	})
	b.Run("int16", func(b *testing.B) {
		for b.Loop() {
			featuresInt16(frame)
		}
	})
}
