package vad

import (
	"encoding/binary"
	"errors"
	"testing"
)

// FuzzGMMProcess feeds arbitrary audio in arbitrary chunks at several sample
// rates: Process never panics, refuses only empty and too-long frames, and
// its events agree with Speaking.
func FuzzGMMProcess(f *testing.F) {
	f.Add(uint8(0), []byte{0x40, 1, 2, 3, 4, 5, 6, 7})
	f.Add(uint8(1), make([]byte, 4000))
	f.Add(uint8(2), []byte{0xff, 0x7f, 0x00, 0x80, 0xff, 0x7f, 0x00, 0x80})
	rates := []int{16000, 8000, 48000, 44100}
	f.Fuzz(func(t *testing.T, rateSel uint8, data []byte) {
		rate := rates[int(rateSel)%len(rates)]
		d, err := NewGMM(GMMConfig{SampleRate: rate})
		if err != nil {
			t.Fatal(err)
		}
		max := rate / 10
		for len(data) >= 2 {
			// The first two bytes of each chunk give its length, the rest
			// its samples (repeated if short, so that long frames occur).
			n := int(binary.LittleEndian.Uint16(data)) % (max + max/4 + 1)
			data = data[2:]
			frame := make([]int16, n)
			for i := range frame {
				if len(data) >= 2 {
					frame[i] = int16(binary.LittleEndian.Uint16(data[2*(i%(len(data)/2)):]))
				}
			}
			if len(data) >= 2*n {
				data = data[2*n:]
			} else {
				data = nil
			}
			was := d.Speaking()
			ev, err := d.Process(frame)
			switch {
			case n == 0:
				if !errors.Is(err, ErrEmptyFrame) {
					t.Fatalf("empty frame: %v", err)
				}
			case n > max:
				if !errors.Is(err, ErrFrameLength) {
					t.Fatalf("%d samples at %d Hz: %v", n, rate, err)
				}
			case err != nil:
				t.Fatalf("%d samples at %d Hz: %v", n, rate, err)
			}
			switch ev {
			case SpeechStart:
				if was || !d.Speaking() {
					t.Fatal("SpeechStart while speaking, or not speaking after it")
				}
			case SpeechEnd:
				if !was || d.Speaking() {
					t.Fatal("SpeechEnd while not speaking, or speaking after it")
				}
			case None:
				if was != d.Speaking() {
					t.Fatal("Speaking changed without an event")
				}
			}
		}
	})
}
