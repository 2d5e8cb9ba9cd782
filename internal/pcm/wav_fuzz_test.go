package pcm

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadWAV: the reader never panics, never hangs, and what it returns
// without error is consistent.
func FuzzReadWAV(f *testing.F) {
	var buf bytes.Buffer
	_ = WriteWAV(&buf, AppendTone(nil, 440, 0.5, 8000, 64), 8000, 1)
	f.Add(buf.Bytes())
	f.Add(buf.Bytes()[:30])
	f.Add(riff(chunk("fmt ", extensibleBody(2, 48000, 16, 16, 1)), chunk("data", make([]byte, 8))))
	f.Add(riff(chunk("fmt ", fmtBody(1, 2, 44100, 16)), chunk("LIST", []byte("odd")), chunk("data", make([]byte, 12))))
	f.Add(append(riff(chunk("fmt ", fmtBody(1, 1, 16000, 16))), "data\xff\xff\xff\xff\x01\x02"...))
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \xff\xff\xff\xff"))
	if b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "interrupt.wav")); err == nil {
		f.Add(b[:2000])
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		w, err := ReadWAV(bytes.NewReader(data))
		if w == nil {
			if err == nil {
				t.Fatal("nil WAV and nil error")
			}
			return
		}
		if w.SampleRate <= 0 || w.Channels <= 0 {
			t.Fatalf("bad format %d Hz %d ch", w.SampleRate, w.Channels)
		}
		if len(w.Samples)%w.Channels != 0 {
			t.Fatalf("%d samples for %d channels", len(w.Samples), w.Channels)
		}
		if 2*len(w.Samples) > len(data) {
			t.Fatalf("%d samples from %d bytes", len(w.Samples), len(data))
		}
		if err != nil {
			return
		}
		// What reads cleanly writes and reads back the same.
		var out bytes.Buffer
		if w.SampleRate > MaxRate || w.Channels > maxWAVChannels {
			return
		}
		if err := WriteWAV(&out, w.Samples, w.SampleRate, w.Channels); err != nil {
			t.Fatal(err)
		}
		w2, err := ReadWAV(&out)
		if err != nil || w2.SampleRate != w.SampleRate || w2.Channels != w.Channels || len(w2.Samples) != len(w.Samples) {
			t.Fatalf("round trip: %v", err)
		}
	})
}
