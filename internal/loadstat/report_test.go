package loadstat

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
)

type reported map[string]float64

func (m reported) ReportMetric(n float64, unit string) { m[unit] = n }

func TestReport(t *testing.T) {
	t0 := time.Unix(1000, 0)
	r := Run{
		Unit: "call", N: 4, Seconds: 10,
		Before: Snapshot{at: t0, cpu: time.Second, heap: 1 << 20, goroutines: 10},
		Start:  Snapshot{at: t0.Add(2 * time.Second), cpu: 2 * time.Second},
		End:    Snapshot{at: t0.Add(6 * time.Second), cpu: 4 * time.Second, heap: 1<<20 + 4*100*1024, goroutines: 10 + 4*7},
		Final:  Snapshot{at: t0.Add(12 * time.Second), cpu: 5 * time.Second},
		Up:     []time.Duration{time.Millisecond, 3 * time.Millisecond},
		Down:   []time.Duration{2 * time.Millisecond},
		Failed: 2, Lost: 1,
	}
	m := reported{}
	r.Report(m)
	assert.InDelta(t, 10.0, m["cpu%/call"], 1e-9, "4 s of CPU over 4 calls of 10 s")
	assert.InDelta(t, 50.0, m["process-cpu%"], 1e-9, "2 s of CPU in 4 s")
	assert.InDelta(t, 100.0, m["heap-KiB/call"], 1e-9)
	assert.InDelta(t, 7.0, m["goroutines/call"], 1e-9)
	assert.Equal(t, 3.0, m["up-p50-ms"])
	assert.Equal(t, 2.0, m["down-p99-ms"])
	assert.Equal(t, 2.0, m["failed-calls"])
	assert.Equal(t, 1.0, m["lost"])
	assert.Equal(t, 1.0, m["frames/call"], "2 frames over the 2 calls that did not fail")
}

// The echo answers each symbol with its audio as model audio of turn 1,
// and reports both ends; Close ends it.
func TestEcho(t *testing.T) {
	var got []fullduplex.Symbol
	emitted := 0
	e := NewEcho(func(s fullduplex.Symbol, _ time.Time) { got = append(got, s) }, func(time.Time) { emitted++ })
	ctx := context.Background()
	require.NoError(t, e.Send(ctx, fullduplex.AudioSymbol([]byte{1, 2, 3, 4}, 16000)))
	item, err := e.Receive(ctx)
	require.NoError(t, err)
	s := item.(fullduplex.Symbol)
	assert.Equal(t, []byte{1, 2, 3, 4}, s.Data)
	assert.Equal(t, 16000, s.SampleRate())
	turn, _ := s.Turn()
	assert.Equal(t, 1, turn)
	assert.Len(t, got, 1)
	assert.Equal(t, 1, emitted)
	require.NoError(t, e.Close())
	_, err = e.Receive(ctx)
	assert.ErrorIs(t, err, fullduplex.ErrClosed)
}
