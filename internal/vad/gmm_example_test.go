package vad_test

import (
	"fmt"
	"os"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// "Hold on, somebody is at the door." with white noise 10 dB below it around
// and under it, fed in 20 ms frames.
func ExampleGMMDetector() {
	f, err := os.Open("testdata/utt13.wav") // 16 kHz mono
	if err != nil {
		panic(err)
	}
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	if err != nil {
		panic(err)
	}
	audio := pcm.AppendSilence(nil, 16000) // 1 s before, 1 s after
	audio = append(audio, w.Samples...)
	audio = pcm.AppendSilence(audio, 16000)
	speechDB := pcm.DBFS(w.Samples)
	pcm.Mix(audio, pcm.AppendNoise(nil, pcm.DBToAmplitude(speechDB-10), len(audio), 1))

	d, err := vad.NewGMM(vad.GMMConfig{}) // 16 kHz, 100 ms min speech, 300 ms hangover
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
	// speech_start at 1160 ms
	// speech_end at 3720 ms
}
