package realtime_test

import (
	"context"
	"iter"
	"slices"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
)

// startModel is a TurnModel that reports, on started, the moment each call
// starts, and answers with one fragment.
type startModel struct{ started chan time.Time }

func (m startModel) Generate(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fd.StreamItem, error] {
	m.started <- time.Now()
	return func(yield func(fd.StreamItem, error) bool) { yield(fd.TextSymbol("ok"), nil) }
}

// BenchmarkTriggerToCall measures the time from the Send that completes a
// turn to the model call starting (Generate invoked on the call's
// goroutine): what the stream adds before the model can work. With
// "10min-history" the prompt is built from ten minutes of speech and
// answers first (see fillHistory).
func BenchmarkTriggerToCall(b *testing.B) {
	for _, tc := range []struct {
		name    string
		history bool
	}{{"empty-history", false}, {"10min-history", true}} {
		b.Run(tc.name, func(b *testing.B) {
			ctx := context.Background()
			m := startModel{started: make(chan time.Time, 1)}
			clk := newClock()
			// MaxTurns keeps the prompt the same size across iterations.
			st := realtime.NewStream(m, realtime.Config{Window: -1, MaxTurns: 121, Now: clk.Now, DisableBargeIn: true, Triggers: realtime.TriggerText})
			defer st.Close()
			if err := st.Connect(ctx); err != nil {
				b.Fatal(err)
			}
			if _, err := st.Receive(ctx); err != nil {
				b.Fatal(err)
			}
			if tc.history {
				fillHistory(b, st, m.started, clk)
			}
			msg := fd.TextSymbol("next question")
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				t0 := time.Now()
				if err := st.Send(ctx, msg); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, (<-m.started).Sub(t0))
				drain(b, st)
			}
			b.StopTimer()
			reportLatency(b, lat)
		})
	}
}

// drain receives one answer.
func drain(b *testing.B, st *realtime.Stream) {
	for {
		it, err := st.Receive(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		if ev, ok := it.(fd.StreamEvent); ok {
			if ev.Type == fd.EventError {
				b.Fatal(ev.Data)
			}
			if ev.Type == fd.EventStreamEnd {
				return
			}
		}
	}
}

func reportLatency(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds())/1e3, "µs-p50")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds())/1e3, "µs-p99")
}

// fillHistory adds ten minutes of conversation through the stream: 60
// exchanges of 5 s of speech (20 ms chunks) and a 40-fragment answer, 10 s
// apart on the fake clock. Audio enters the prompt as it would from a
// microphone; each turn is completed by SendEnd.
func fillHistory(b *testing.B, st *realtime.Stream, started chan time.Time, clk *clock) {
	b.Helper()
	ctx := context.Background()
	chunk := fd.AudioSymbol(make([]byte, 640), rate)
	for range 60 {
		for range 250 {
			if err := st.Send(ctx, chunk); err != nil {
				b.Fatal(err)
			}
		}
		if err := st.Send(ctx, fd.TextSymbol("a question")); err != nil { // completes the turn
			b.Fatal(err)
		}
		<-started
		drain(b, st)
		clk.Advance(10 * time.Second)
	}
}

// BenchmarkPromptTenMinutes measures building the prompt from ten minutes
// of history (60 exchanges of 5 s of speech and a 40-fragment answer).
func BenchmarkPromptTenMinutes(b *testing.B) {
	ctx := context.Background()
	m := startModel{started: make(chan time.Time, 1)}
	clk := newClock()
	st := realtime.NewStream(m, realtime.Config{Now: clk.Now, DisableBargeIn: true, Triggers: realtime.TriggerText})
	defer st.Close()
	if err := st.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := st.Receive(ctx); err != nil {
		b.Fatal(err)
	}
	fillHistory(b, st, m.started, clk)
	if n := len(st.History()); n != 120 {
		b.Fatalf("history has %d turns, want 120", n)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_ = st.History()
	}
}

// BenchmarkSendAudioChunk measures one 20 ms chunk of 16 kHz speech through
// Send with the voice activity detector on. A fresh stream every 30 s of
// audio keeps the history from growing without end.
func BenchmarkSendAudioChunk(b *testing.B) {
	ctx := context.Background()
	chunks := voice(1000)
	var st *realtime.Stream
	fresh := func() {
		if st != nil {
			st.Close()
		}
		st = realtime.NewStream(startModel{started: make(chan time.Time, 1)}, realtime.Config{Triggers: realtime.TriggerSendEnd})
		if err := st.Connect(ctx); err != nil {
			b.Fatal(err)
		}
	}
	fresh()
	defer func() { st.Close() }()
	b.SetBytes(640)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if i%1500 == 1499 {
			b.StopTimer()
			fresh()
			b.StartTimer()
		}
		if err := st.Send(ctx, chunks[i%len(chunks)]); err != nil {
			b.Fatal(err)
		}
	}
}
