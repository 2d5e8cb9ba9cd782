package pcm_test

import (
	"bytes"
	"fmt"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A microphone at 48 kHz feeding a 16 kHz backend in 20 ms chunks.
func ExampleResampler() {
	r, err := pcm.NewResampler(48000, 16000)
	if err != nil {
		panic(err)
	}
	mic := pcm.AppendTone(nil, 1000, 0.5, 48000, 48000) // 1 s
	var out, chunk []int16
	for i := 0; i < len(mic); i += 960 {
		chunk = r.Process(chunk[:0], mic[i:i+960]) // reuse the buffer
		out = append(out, chunk...)
	}
	out = r.Flush(out) // end of stream: emit the filter's tail
	snr, _ := pcm.ToneSNR(out[1600:len(out)-1600], 1000, 16000)
	fmt.Println(len(out), "samples, SNR above 90 dB:", snr > 90)
	// Output: 16000 samples, SNR above 90 dB: true
}

func ExampleWriteWAV() {
	var buf bytes.Buffer
	samples := pcm.AppendTone(nil, 440, 0.25, 16000, 8000)
	if err := pcm.WriteWAV(&buf, samples, 16000, 1); err != nil {
		panic(err)
	}
	w, err := pcm.ReadWAV(&buf)
	if err != nil {
		panic(err)
	}
	fmt.Println(w.SampleRate, w.Channels, w.Duration())
	// Output: 16000 1 500ms
}

func ExampleDecodeInt16() {
	raw := []byte{0x01, 0x00, 0xff, 0xff, 0x00, 0x80}
	samples, err := pcm.DecodeInt16(nil, raw)
	fmt.Println(samples, err)
	_, err = pcm.DecodeInt16(nil, raw[:5])
	fmt.Println(err)
	// Output:
	// [1 -1 -32768] <nil>
	// pcm: odd number of bytes in 16-bit PCM (5 bytes)
}
