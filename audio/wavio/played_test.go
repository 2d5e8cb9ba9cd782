package wavio

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func turnTone(turn int, d time.Duration) fullduplex.Symbol {
	return tone(440, 24000, d).WithMeta(fullduplex.MetaTurn, turn)
}

// A direct Sink has played whatever it wrote, per turn.
func TestSinkPlayedIsWritten(t *testing.T) {
	sink, err := CreateSink(filepath.Join(t.TempDir(), "out.wav"), SinkConfig{})
	require.NoError(t, err)
	defer sink.Close()
	ctx := context.Background()
	require.NoError(t, sink.Write(ctx, turnTone(1, 300*time.Millisecond)))
	require.NoError(t, sink.Write(ctx, tone(440, 24000, 50*time.Millisecond))) // no MetaTurn
	require.NoError(t, sink.Write(ctx, turnTone(2, 200*time.Millisecond)))
	assert.Equal(t, 300*time.Millisecond, sink.Played(1))
	assert.Equal(t, 200*time.Millisecond, sink.Played(2))
	assert.Zero(t, sink.Played(3))
}

// A Realtime Sink's Played follows its clock; a Flush stops the turn where
// the file's tone stops (within one Period), and the next turn counts whole.
func TestRealtimeSinkPlayedStopsAtTheFlush(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateSink(path, SinkConfig{Realtime: true})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, sink.Write(ctx, turnTone(1, 2*time.Second)))
	assert.Less(t, sink.Played(1), 2*time.Second, "queued is not played")
	require.Eventually(t, func() bool { return sink.Played(1) >= 100*time.Millisecond }, 2*time.Second, time.Millisecond)
	sink.Flush()
	cut := sink.Played(1)
	require.Eventually(t, func() bool { return !sink.Playing() }, 2*time.Second, time.Millisecond, "a silent step after the flush")
	require.NoError(t, sink.Write(ctx, turnTone(2, 100*time.Millisecond)))
	require.NoError(t, sink.Drain(ctx))
	assert.Equal(t, cut, sink.Played(1), "nothing of the flushed turn plays after the flush")
	assert.Equal(t, 100*time.Millisecond, sink.Played(2))
	require.NoError(t, sink.Close())

	s := readWAV(t, path).Samples
	first := -1
	for i := range s {
		if s[i] != 0 {
			first = i
			break
		}
	}
	require.GreaterOrEqual(t, first, 0)
	end := first
	for end < len(s) && pcm.DBFS(s[end:min(end+24, len(s))]) > -20 {
		end += 24 // 1 ms windows
	}
	inFile := time.Duration(end-first) * time.Second / 24000
	assert.InDelta(t, float64(inFile), float64(cut), float64(10*time.Millisecond+time.Millisecond), "Played is the tone in the file, within a Period")
	assert.Less(t, cut, 2*time.Second)
}
