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

// A realtime Sink remembers when it played how loud: LevelAt before the
// audio is 0, after it the tone's level, and far before the history it
// reports ok false only once the history is full.
func TestSinkLevelAt(t *testing.T) {
	s, err := CreateSink(filepath.Join(t.TempDir(), "out.wav"), SinkConfig{SampleRate: 16000, Realtime: true})
	require.NoError(t, err)
	defer s.Close()
	tone := make([]int16, 16000/5) // 200 ms at -6 dBFS RMS-ish
	for i := range tone {
		tone[i] = 16384
		if i%2 == 1 {
			tone[i] = -16384
		}
	}
	ctx := context.Background()
	before := time.Now()
	time.Sleep(30 * time.Millisecond) // a few silent steps first
	require.NoError(t, s.Write(ctx, fullduplex.AudioSymbol(pcm.EncodeInt16(nil, tone), 16000)))
	require.NoError(t, s.Drain(ctx))
	after := time.Now()
	l, ok := s.LevelAt(before)
	assert.True(t, ok)
	assert.Zero(t, l, "nothing played yet")
	l, ok = s.LevelAt(after)
	assert.True(t, ok)
	assert.InDelta(t, 0.5, l, 0.1, "the tone's level")
	assert.InDelta(t, s.Level(), l, 0.1, "LevelAt(now) reads as Level")
}
