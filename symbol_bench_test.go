package fullduplex_test

import (
	"context"
	"runtime"
	"sync"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
)

// The cost of building a Symbol (issue 8 §6), alone and on the per-chunk
// workload: N 20 ms chunks each way through RunDuplex, where every chunk is
// a Symbol built when it is produced, as every real source and backend does.
// bench/compare.sh runs the workload next to the Python package's
// run_duplex (bench/python/run_duplex_bench.py) and prints the ratio.

// symbolSink keeps each built Symbol reachable, as sending it would.
var symbolSink fd.Symbol

// 20 ms of 16-bit mono PCM: 16 kHz microphone input, 24 kHz model output.
var (
	micPCM   = make([]byte, 640)
	modelPCM = make([]byte, 960)
)

func BenchmarkAudioSymbol(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		symbolSink = fd.AudioSymbol(micPCM, 16000)
	}
}

func BenchmarkTextSymbol(b *testing.B) {
	text := "Sure, I can help you with that."
	b.ReportAllocs()
	for b.Loop() {
		symbolSink = fd.TextSymbol(text)
	}
}

// BenchmarkModelAudioSymbol is what a backend builds per received chunk:
// the turn's metadata map is made once per turn, not per chunk.
func BenchmarkModelAudioSymbol(b *testing.B) {
	meta := turnMeta(1)
	b.ReportAllocs()
	for b.Loop() {
		symbolSink = backendChunk(modelPCM, meta)
	}
}

// backendChunk builds one chunk of model audio the way the backends tag it
// (gemini's downlink): an audio Symbol whose metadata (rate, channels, role,
// turn) is one read-only map per turn, shared by the turn's chunks.
func backendChunk(pcm []byte, meta map[string]any) fd.Symbol {
	s := fd.AudioSymbol(pcm, 24000)
	s.Metadata = meta
	return s
}

// turnMeta is the metadata of a model turn's audio chunks.
func turnMeta(turn int) map[string]any {
	return map[string]any{
		fd.MetaSampleRate: 24000,
		fd.MetaChannels:   1,
		fd.MetaRole:       fd.RoleModel,
		fd.MetaTurn:       turn,
	}
}

// chunkSource yields n chunks of microphone audio, building each with
// AudioSymbol when Next is called, then io.EOF.
type chunkSource struct {
	micSource // for its count and io.EOF
}

func (c *chunkSource) Next(ctx context.Context) (fd.Symbol, error) {
	if _, err := c.micSource.Next(ctx); err != nil {
		return fd.Symbol{}, err
	}
	return fd.AudioSymbol(micPCM, 16000), nil
}

// chunkLoopback is the benchmarks' loopback stream (same Send, same io.EOF
// once every send is in) whose Receive builds each model chunk as a backend
// does instead of returning a prebuilt one.
type chunkLoopback struct {
	*loopback
	left int
	meta map[string]any // of the turn being received
}

// chunksPerTurn is how many 20 ms chunks a model turn has here: 5 s.
const chunksPerTurn = 250

func newChunkLoopback(n int) *chunkLoopback {
	return &chunkLoopback{loopback: newLoopback(0, n), left: n}
}

func (c *chunkLoopback) Receive(ctx context.Context) (fd.StreamItem, error) {
	if c.left > 0 {
		if c.left%chunksPerTurn == 0 || c.meta == nil {
			c.meta = turnMeta(c.left / chunksPerTurn)
		}
		c.left--
		return backendChunk(modelPCM, c.meta), nil
	}
	return c.loopback.Receive(ctx)
}

// lastSink counts what it is given and keeps the last item, so the run can
// check what a reader of the symbols sees.
type lastSink struct {
	n    int
	last fd.StreamItem
}

func (l *lastSink) Write(_ context.Context, item fd.StreamItem) error {
	l.n++
	l.last = item
	return nil
}

// perChunk runs run (N chunks each way) and reports symbols/s per direction
// and heap allocations per symbol (2N symbols), then checks that every chunk
// arrived and that readers still find the sample rate in the metadata.
func perChunk(b *testing.B, run func(src fd.Source, l *chunkLoopback, sink fd.Sink)) {
	l, src, sink := newChunkLoopback(b.N), &chunkSource{micSource{n: b.N}}, &lastSink{}
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	b.ReportAllocs()
	b.ResetTimer()
	run(src, l, sink)
	b.StopTimer()
	runtime.ReadMemStats(&m1)
	if sink.n != b.N || l.sends.Load() != int64(b.N) {
		b.Fatalf("received %d, sent %d of %d", sink.n, l.sends.Load(), b.N)
	}
	got, _ := sink.last.(fd.Symbol)
	if r, ok := got.Metadata[fd.MetaSampleRate].(int); !ok || r != 24000 {
		b.Fatalf("Metadata[MetaSampleRate] of a received chunk = %v, want 24000", got.Metadata[fd.MetaSampleRate])
	}
	perSecond(b, b.N) // per direction: b.N each way
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(2*b.N), "allocs/symbol")
}

// BenchmarkRunDuplexPerChunk is the per-chunk workload through a session.
func BenchmarkRunDuplexPerChunk(b *testing.B) {
	perChunk(b, func(src fd.Source, l *chunkLoopback, sink fd.Sink) {
		if err := fd.NewDuplexSession(l).RunDuplex(context.Background(), src, sink); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkBaselinePerChunk is the same workload by hand: a Next→Send loop
// and a Receive→Write loop on two goroutines, no session; the symbols are
// built the same way, so the difference is what the session adds.
func BenchmarkBaselinePerChunk(b *testing.B) {
	perChunk(b, func(src fd.Source, l *chunkLoopback, sink fd.Sink) {
		ctx := context.Background()
		var wg sync.WaitGroup
		wg.Go(func() {
			for {
				s, err := src.Next(ctx)
				if err != nil {
					_ = l.SendEnd(ctx)
					return
				}
				_ = l.Send(ctx, s)
			}
		})
		for {
			item, err := l.Receive(ctx)
			if err != nil {
				break
			}
			_ = sink.Write(ctx, item)
		}
		wg.Wait()
	})
}
