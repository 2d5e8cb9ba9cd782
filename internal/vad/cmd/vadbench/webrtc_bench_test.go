//go:build webrtcvad

package main

import (
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
)

// BenchmarkJudge times one 20 ms frame at 16 kHz through WebRTC's VAD
// (cgo) and, in the same process, through the pure-Go detectors.
// go test -tags webrtcvad -run '^$' -bench . ./internal/vad/cmd/vadbench
func BenchmarkJudge(b *testing.B) {
	audio := pcm.AppendNoise(nil, 0.05, 16000, 1)
	for _, d := range []detector{
		{"webrtc-mode3", webrtc(3)},
		{"gmm", gmm(vad.GMMConfig{})},
		{"energy", energy(vad.Config{})},
	} {
		b.Run(d.name, func(b *testing.B) {
			judge, done, err := d.make(16000)
			if err != nil {
				b.Fatal(err)
			}
			defer done()
			benchJudge(b, judge, audio)
		})
	}
}

func benchJudge(b *testing.B, judge vadeval.FrameFunc, audio []int16) {
	i := 0
	for b.Loop() {
		if i+320 > len(audio) {
			i = 0
		}
		if _, err := judge(audio[i : i+320]); err != nil {
			b.Fatal(err)
		}
		i += 320
	}
}
