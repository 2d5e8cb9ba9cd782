package pcm

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// BenchmarkResample measures one 20 ms chunk through a streaming Resampler
// in steady state, and reports the SNR of a 1 kHz tone through the same
// conversion (SNR-dB) and how many times faster than real time it runs (x-realtime).
func BenchmarkResample(b *testing.B) {
	for _, rp := range []struct{ in, out int }{
		{48000, 16000}, {24000, 48000}, {44100, 16000}, {16000, 24000}, {24000, 16000}, {44100, 48000},
	} {
		b.Run(fmt.Sprintf("%d-%d", rp.in, rp.out), func(b *testing.B) {
			snr := toneSNR(b, rp.in, rp.out, 1000)
			r, err := NewResampler(rp.in, rp.out)
			if err != nil {
				b.Fatal(err)
			}
			chunk := AppendTone(nil, 1000, 0.5, rp.in, rp.in/50)
			dst := make([]int16, 0, 4096)
			for range 3 {
				dst = r.Process(dst[:0], chunk)
			}
			b.SetBytes(int64(2 * len(chunk)))
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				dst = r.Process(dst[:0], chunk)
			}
			b.StopTimer()
			perOp := b.Elapsed().Seconds() / float64(b.N)
			b.ReportMetric(snr, "SNR-dB")
			b.ReportMetric((20*time.Millisecond).Seconds()/perOp, "x-realtime")
		})
	}
}

func BenchmarkConvert(b *testing.B) {
	const n = 960 // 20 ms at 48 kHz
	samples := AppendTone(nil, 1000, 0.5, 48000, n)
	raw := EncodeInt16(nil, samples)
	floats := Int16ToFloat32(nil, samples)
	stereo := AppendTone(nil, 1000, 0.5, 48000, 2*n)
	bench := func(name string, f func()) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(2 * n)
			b.ReportAllocs()
			for b.Loop() {
				f()
			}
		})
	}
	s := make([]int16, 0, 2*n)
	fl := make([]float32, 0, 2*n)
	out := make([]byte, 0, 4*n)
	bench("DecodeInt16", func() { s, _ = DecodeInt16(s[:0], raw) })
	bench("EncodeInt16", func() { out = EncodeInt16(out[:0], samples) })
	bench("DecodeFloat32", func() { fl, _ = DecodeFloat32(fl[:0], raw) })
	bench("EncodeFloat32", func() { out = EncodeFloat32(out[:0], floats) })
	bench("Int16ToFloat32", func() { fl = Int16ToFloat32(fl[:0], samples) })
	bench("Float32ToInt16", func() { s = Float32ToInt16(s[:0], floats) })
	bench("DownmixStereo", func() { s, _ = Downmix(s[:0], stereo, 2) })
	mixed := make([]int16, n)
	bench("Mix", func() { Mix(mixed, samples) })
	bench("Mix/one-at-a-time", func() { mixLoop(mixed, samples) }) // the baseline
}

func BenchmarkReadWAV(b *testing.B) {
	var buf bytes.Buffer
	if err := WriteWAV(&buf, AppendTone(nil, 1000, 0.5, 16000, 16000), 16000, 1); err != nil {
		b.Fatal(err)
	}
	file := buf.Bytes()
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReadWAV(bytes.NewReader(file)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewResampler measures building the filter bank (once per stream).
func BenchmarkNewResampler(b *testing.B) {
	for _, rp := range []struct{ in, out int }{{48000, 16000}, {24000, 48000}, {44100, 16000}, {16001, 48000}} {
		b.Run(fmt.Sprintf("%d-%d", rp.in, rp.out), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := NewResampler(rp.in, rp.out); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
