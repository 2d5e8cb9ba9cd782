package vad_test

import (
	"fmt"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// Half a second of quiet noise, a second of a voice-like tone, then quiet
// again, fed in 20 ms frames.
func ExampleEnergyDetector() {
	audio := pcm.AppendNoise(nil, pcm.DBToAmplitude(-60), 8000, 1)
	audio = pcm.AppendTone(audio, 220, 0.2, 16000, 16000)
	audio = pcm.AppendNoise(audio, pcm.DBToAmplitude(-60), 16000, 2)

	d, err := vad.New(vad.Config{}) // 16 kHz, 100 ms min speech, 300 ms hangover
	if err != nil {
		panic(err)
	}
	for i := 0; i+320 <= len(audio); i += 320 {
		ev, err := d.Process(audio[i : i+320])
		if err != nil {
			panic(err)
		}
		if ev != vad.None {
			fmt.Printf("%v at %d ms\n", ev, (i+320)/16)
		}
	}
	// Output:
	// speech_start at 600 ms
	// speech_end at 1800 ms
}
