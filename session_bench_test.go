package fullduplex_test

import (
	"context"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
)

// loopback is an in-memory DuplexStream for benchmarks: Receive returns n
// prebuilt 20 ms 24 kHz audio symbols, then io.EOF once sends (if expected)
// are in; Send counts. It costs as little as a stream can, so what is
// measured is the session.
type loopback struct {
	items     []fd.StreamItem
	next      int
	wantSends int64
	sends     atomic.Int64
	sent      chan struct{} // closed when wantSends sends arrived
}

func newLoopback(recv, send int) *loopback {
	l := &loopback{wantSends: int64(send), sent: make(chan struct{})}
	item := fd.StreamItem(modelAudio(960, 1))
	l.items = slices.Repeat([]fd.StreamItem{item}, recv)
	if send == 0 {
		close(l.sent)
	}
	return l
}

func modelAudio(bytes, turn int) fd.Symbol {
	return fd.AudioSymbol(make([]byte, bytes), 24000).WithMeta(fd.MetaRole, fd.RoleModel).WithMeta(fd.MetaTurn, turn)
}

func (l *loopback) Connect(context.Context) error { return nil }
func (l *loopback) Close() error                  { return nil }
func (l *loopback) Connected() bool               { return true }
func (l *loopback) SendEnd(context.Context) error { return nil }
func (l *loopback) Send(_ context.Context, _ fd.Symbol) error {
	if l.sends.Add(1) == l.wantSends {
		close(l.sent)
	}
	return nil
}
func (l *loopback) Receive(ctx context.Context) (fd.StreamItem, error) {
	if l.next < len(l.items) {
		l.next++
		return l.items[l.next-1], nil
	}
	select {
	case <-l.sent:
		return nil, io.EOF
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// micSource yields n prebuilt 20 ms 16 kHz symbols (640 bytes), then io.EOF.
type micSource struct {
	s fd.Symbol
	n int
}

func (m *micSource) Next(context.Context) (fd.Symbol, error) {
	if m.n == 0 {
		return fd.Symbol{}, io.EOF
	}
	m.n--
	return m.s, nil
}

type countSink struct{ n int }

func (c *countSink) Write(context.Context, fd.StreamItem) error { c.n++; return nil }

func perSecond(b *testing.B, symbols int) {
	b.ReportMetric(float64(symbols)/b.Elapsed().Seconds(), "symbols/s")
}

var mic = fd.AudioSymbol(make([]byte, 640), 16000)

// Baselines: the least code that does the same job by hand, no session.
func BenchmarkBaselineReceive(b *testing.B) {
	ctx := context.Background()
	l, sink := newLoopback(b.N, 0), &countSink{}
	b.ReportAllocs()
	b.ResetTimer()
	for {
		item, err := l.Receive(ctx)
		if err != nil {
			break
		}
		_ = sink.Write(ctx, item)
	}
	perSecond(b, b.N)
}

func BenchmarkBaselineSend(b *testing.B) {
	ctx := context.Background()
	l, src := newLoopback(0, b.N), &micSource{s: mic, n: b.N}
	b.ReportAllocs()
	b.ResetTimer()
	for {
		s, err := src.Next(ctx)
		if err != nil {
			break
		}
		_ = l.Send(ctx, s)
	}
	perSecond(b, b.N)
}

func BenchmarkBaselineBoth(b *testing.B) {
	ctx := context.Background()
	l, src, sink := newLoopback(b.N, b.N), &micSource{s: mic, n: b.N}, &countSink{}
	b.ReportAllocs()
	b.ResetTimer()
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			s, err := src.Next(ctx)
			if err != nil {
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
	perSecond(b, b.N)
}

func BenchmarkRunDuplexReceive(b *testing.B) {
	l, sink := newLoopback(b.N, 0), &countSink{}
	b.ReportAllocs()
	b.ResetTimer()
	if err := fd.NewDuplexSession(l).RunDuplex(context.Background(), nil, sink); err != nil {
		b.Fatal(err)
	}
	if sink.n != b.N {
		b.Fatalf("received %d of %d", sink.n, b.N)
	}
	perSecond(b, b.N)
}

func BenchmarkRunDuplexSend(b *testing.B) {
	l, src := newLoopback(0, b.N), &micSource{s: mic, n: b.N}
	b.ReportAllocs()
	b.ResetTimer()
	if err := fd.NewDuplexSession(l).RunDuplex(context.Background(), src, nil); err != nil {
		b.Fatal(err)
	}
	perSecond(b, b.N)
}

func BenchmarkRunDuplexBoth(b *testing.B) {
	l, src, sink := newLoopback(b.N, b.N), &micSource{s: mic, n: b.N}, &countSink{}
	b.ReportAllocs()
	b.ResetTimer()
	if err := fd.NewDuplexSession(l).RunDuplex(context.Background(), src, sink); err != nil {
		b.Fatal(err)
	}
	if sink.n != b.N || l.sends.Load() != int64(b.N) {
		b.Fatalf("received %d, sent %d of %d", sink.n, l.sends.Load(), b.N)
	}
	perSecond(b, b.N) // per direction: b.N each way
}

// endless streams model audio until ctx is done; turn is read atomically
// so the benchmark can start a new turn after each interrupt.
type endless struct {
	turn  atomic.Int64
	items [2]fd.StreamItem
}

func (e *endless) Connect(context.Context) error         { return nil }
func (e *endless) Close() error                          { return nil }
func (e *endless) Connected() bool                       { return true }
func (e *endless) SendEnd(context.Context) error         { return nil }
func (e *endless) Send(context.Context, fd.Symbol) error { return nil }
func (e *endless) Receive(ctx context.Context) (fd.StreamItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.items[e.turn.Load()%2], nil
}

type flushTimer struct {
	flushed chan time.Time
}

func (f *flushTimer) Write(context.Context, fd.StreamItem) error { return nil }
func (f *flushTimer) Flush() {
	select {
	case f.flushed <- time.Now():
	default:
	}
}

// BenchmarkInterruptToFlush measures the time from Interrupt() to the
// sink's Flush returning while model audio is being delivered as fast as
// the session can, so Interrupt often finds a delivery in progress.
func BenchmarkInterruptToFlush(b *testing.B) {
	e := &endless{items: [2]fd.StreamItem{modelAudio(960, 0), modelAudio(960, 1)}}
	sink := &flushTimer{flushed: make(chan time.Time, 1)}
	sess := fd.NewDuplexSession(e)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, nil, sink) }()
	time.Sleep(10 * time.Millisecond) // let audio flow
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		t0 := time.Now()
		sess.Interrupt()
		t1 := <-sink.flushed
		lat = append(lat, t1.Sub(t0))
		e.turn.Add(1) // the model starts a new turn
	}
	b.StopTimer()
	cancel()
	<-done
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(lat[len(lat)-1].Nanoseconds()), "max-ns")
}
