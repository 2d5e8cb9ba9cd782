package attention_test

import (
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// endless yields n symbols, 20 ms apart in media time, without
// allocating: quiet copies of benchSilence first, then copies of s (audio:
// a second of it, then 0.3 s of silence, and so on).
func endless(s fd.Symbol, n, quiet int) fd.Source {
	at := t0
	return fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		if n <= 0 {
			return fd.Symbol{}, io.EOF
		}
		n--
		out := s
		if quiet > 0 {
			quiet--
			out = benchSilence
		} else if s.Modality == fd.ModalityAudio && n%65 >= 50 {
			out = benchSilence // a pause after each second of speech
		}
		out.Timestamp = at
		at = at.Add(frame)
		return out, nil
	})
}

func drain(b *testing.B, src fd.Source) int {
	ctx := context.Background()
	n := 0
	for {
		_, err := src.Next(ctx)
		if err == io.EOF {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}

var (
	benchSpeech = fd.AudioSymbol(pcm.EncodeInt16(nil, pcm.AppendTone(nil, 300, 0.3, 16000, 320)), 16000)
	// Background noise at -60 dBFS, below the detector's MinLevelDB: a
	// quiet room, not digital silence.
	benchSilence = fd.AudioSymbol(pcm.EncodeInt16(nil, pcm.AppendNoise(nil, 0.001, 320, 1)), 16000)
	benchFrame   = fd.VideoSymbol(make([]byte, 1024), "image/raw")
)

// BenchmarkAttend is the cost per symbol read of an attending Source over
// n inputs against reading one such source directly, and against the voice
// detector alone. audio: 20 ms chunks, one input speaking and the others
// silent, every chunk through the voice detector; audio-phrase: the same
// waiting for an activation phrase, so no input is listened to (no
// transcript says it); audio-mix: the same with two inputs
// speaking, both holding the floor, mixed (Divided.Mix); video: ambient frames, which skip the detector.
// One op is one symbol read.
func BenchmarkAttend(b *testing.B) {
	b.Run("direct/audio", func(b *testing.B) {
		b.ReportAllocs()
		drain(b, endless(benchSpeech, b.N, 0))
	})
	// The voice detector alone, as the Source runs it on each audio chunk:
	// decode, then vad.EnergyDetector.Process.
	b.Run("direct/audio+vad", func(b *testing.B) {
		b.ReportAllocs()
		det, _ := vad.New(vad.Config{})
		var x []int16
		src := endless(benchSpeech, b.N, 25)
		ctx := context.Background()
		for {
			s, err := src.Next(ctx)
			if err != nil {
				break
			}
			x, _ = pcm.DecodeInt16(x[:0], s.Data)
			_, _ = det.Process(x)
		}
	})
	for _, kind := range []string{"audio", "audio-phrase", "audio-mix", "video"} {
		for _, n := range []int{2, 8, 32} {
			b.Run(fmt.Sprintf("%s/inputs=%d", kind, n), func(b *testing.B) {
				b.ReportAllocs()
				var ins []attention.Input
				per := b.N/n + 1
				for i := range n {
					in := attention.Input{Name: fmt.Sprintf("in%d", i)}
					switch {
					case kind == "video":
						in.Source, in.Ambient = endless(benchFrame, per, 0), true
					case i == 0, kind == "audio-mix" && i == 1:
						in.Source = endless(benchSpeech, per, 25)
					default:
						in.Source = endless(benchSilence, per, 0)
					}
					ins = append(ins, in)
				}
				var cfg attention.Config
				switch kind {
				case "audio-phrase":
					cfg.Selective.Phrase = "hey kiosk"
				case "audio-mix":
					cfg.Divided = attention.Divided{Max: 2, Mix: true}
				}
				a, err := attention.New(cfg, ins...)
				if err != nil {
					b.Fatal(err)
				}
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				b.ResetTimer()
				go a.Run(ctx)
				drain(b, a)
				b.StopTimer()
				st := a.Stats()
				b.ReportMetric(float64(st.Passed.Total()+st.Mixed.Total())/float64(n*per), "passed/read")
			})
		}
	}
}

// BenchmarkPreempt measures the switch of the floor to a higher-priority
// input: media-ms is from the start of the alarm's first chunk of speech to
// the start of the chunk that completes MinSpeech (20 ms chunks), at which
// the FloorChange is stamped. The wall time from that chunk's arrival to
// the switch is the handling of one symbol (BenchmarkAttend); the time per
// op here is the whole 0.5 s scenario, fed in lockstep by the test's
// sequencer.
func BenchmarkPreempt(b *testing.B) {
	for _, minSpeech := range []time.Duration{20 * time.Millisecond, attention.DefaultMinSpeech} {
		b.Run(fmt.Sprintf("min-speech=%v", minSpeech), func(b *testing.B) {
			var lag time.Duration
			for b.Loop() {
				caller := (&script{}).silence(100 * ms).speech(400 * ms)
				alarm := (&script{}).silence(200 * ms).speech(300 * ms)
				q := newSequence(caller, alarm)
				ins := q.inputs("caller", "alarm")
				ins[1].Priority = 1
				var at time.Time
				a, _ := attention.New(attention.Config{
					Sustained: attention.Sustained{MinSpeech: minSpeech},
					OnEvent: func(ev fd.StreamEvent) {
						if c := ev.Data.(attention.FloorChange); c.Reason == attention.ReasonPreempt {
							at = c.At
						}
					},
				}, ins...)
				ctx, cancel := context.WithCancel(context.Background())
				go a.Run(ctx)
				drain(b, a)
				cancel()
				lag = at.Sub(t0.Add(200 * ms))
			}
			b.ReportMetric(float64(lag.Milliseconds()), "media-ms")
		})
	}
}

// BenchmarkComposite is the cost per item received through a
// CompositeStream over one FakeStream against receiving from the
// FakeStream directly: model audio chunks of one long turn. One op is one
// item.
func BenchmarkComposite(b *testing.B) {
	chunk := fd.AudioSymbol(make([]byte, 960), 24000)
	chunk.Metadata = map[string]any{fd.MetaSampleRate: 24000, fd.MetaChannels: 1, fd.MetaRole: fd.RoleModel, fd.MetaTurn: 1}
	script := func(fs *fullduplextest.FakeStream, n int) {
		items := make([]fd.StreamItem, n)
		for i := range items {
			items[i] = chunk
		}
		fs.Emit(items...)
	}
	receive := func(b *testing.B, s fd.DuplexStream) {
		ctx := context.Background()
		for range b.N {
			if _, err := s.Receive(ctx); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("direct", func(b *testing.B) {
		b.ReportAllocs()
		fs := fullduplextest.NewFakeStream()
		_ = fs.Connect(context.Background())
		script(fs, b.N)
		b.ResetTimer()
		receive(b, fs)
	})
	b.Run("composite", func(b *testing.B) {
		b.ReportAllocs()
		fs := fullduplextest.NewFakeStream()
		script(fs, b.N)
		c, _ := attention.NewComposite(attention.CompositeConfig{Members: []attention.Member{{Name: "a", Stream: fs}}})
		defer c.Close()
		b.ResetTimer()
		_ = c.Connect(context.Background())
		receive(b, c)
	})
}
