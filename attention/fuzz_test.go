package attention_test

import (
	"context"
	"io"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// Whatever an input yields — odd PCM lengths, absurd rates and channel
// counts, invalid text, any modality — the Source never panics, counts every
// symbol once, and passes what it passes unchanged but for its label.
func FuzzSource(f *testing.F) {
	f.Add([]byte{1, 2, 3}, 16000, 1, uint8(0), true)
	f.Add(make([]byte, 640), 48000, 2, uint8(0), false)
	f.Add([]byte("hey kiosk"), 0, 0, uint8(1), true)
	f.Add([]byte{0xff, 0xfe}, -5, 300, uint8(2), false)
	f.Fuzz(func(t *testing.T, data []byte, rate, channels int, kind uint8, mix bool) {
		mods := []fd.Modality{fd.ModalityAudio, fd.ModalityText, fd.ModalityVideo, fd.ModalityImage, "smell"}
		s := fd.Symbol{Modality: mods[int(kind)%len(mods)], Data: data, MIMEType: "x/y",
			Metadata:  map[string]any{fd.MetaSampleRate: rate, fd.MetaChannels: channels, fd.MetaTranscript: kind%2 == 0},
			Timestamp: time.Unix(0, 0).Add(time.Duration(len(data)) * time.Millisecond)}
		syms := []fd.Symbol{s, s, s}
		a, err := attention.New(attention.Config{
			Selective: attention.Selective{Phrase: "hey kiosk", Relevance: func(string, fd.Symbol) bool { return kind%3 == 0 }},
			Divided:   attention.Divided{Max: 2, Mix: mix},
			Budget:    attention.Budget{Video: attention.FrameBudget{PerSecond: 1, MinChange: 0.5}, DropSilence: kind%5 == 0},
		}, attention.Input{Name: "a", Source: fullduplextest.SliceSource(syms...)},
			attention.Input{Name: "b", Source: fullduplextest.SliceSource(syms...), Ambient: true})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		done := make(chan error, 1)
		go func() { done <- a.Run(ctx) }()
		n := 0
		for {
			got, err := a.Next(ctx)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Metadata[fd.MetaSource] == nil {
				t.Fatalf("unlabelled %v", got)
			}
			n++
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		st := a.Stats()
		sum := st.Passed.Total() + st.Mixed.Total() + st.Unattended.Total() + st.OverRate.Total() + st.Unchanged.Total() + st.Silence.Total() + st.Transcripts.Total()
		if sum != 6 {
			t.Fatalf("counted %d of 6: %+v", sum, st)
		}
		if !mix && uint64(n) != st.Passed.Total() {
			t.Fatalf("returned %d, passed %d", n, st.Passed.Total())
		}
	})
}
