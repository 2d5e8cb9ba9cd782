package wavio

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const hello = "../../testdata/hello.wav"

func readAll(t *testing.T, src fullduplex.Source) []fullduplex.Symbol {
	t.Helper()
	var out []fullduplex.Symbol
	for {
		s, err := src.Next(context.Background())
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, s)
	}
}

func TestSourceChunksAndSilences(t *testing.T) {
	cases := []struct {
		name  string
		cfg   SourceConfig
		chunk int
		rate  int
		dur   time.Duration
	}{
		{"defaults", SourceConfig{}, 320, 16000, 2911 * time.Millisecond},
		{"silences", SourceConfig{LeadSilence: 500 * time.Millisecond, TrailSilence: 250 * time.Millisecond}, 320, 16000, 3661 * time.Millisecond},
		{"24k 50ms", SourceConfig{SampleRate: 24000, Chunk: 50 * time.Millisecond}, 1200, 24000, 2911 * time.Millisecond},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src, err := OpenSource(hello, c.cfg)
			require.NoError(t, err)
			assert.InDelta(t, c.dur, src.Duration(), float64(2*time.Millisecond))
			syms := readAll(t, src)
			var total int
			for i, s := range syms {
				assert.Equal(t, c.rate, s.SampleRate())
				assert.Equal(t, fullduplex.RoleUser, s.Role())
				if i < len(syms)-1 {
					assert.Len(t, s.Data, 2*c.chunk)
				}
				total += len(s.Data) / 2
			}
			assert.Equal(t, len(src.Samples()), total)
			if c.cfg.LeadSilence > 0 {
				first, err := pcm.DecodeInt16(nil, syms[0].Data)
				require.NoError(t, err)
				assert.Equal(t, pcm.SilenceDB, pcm.DBFS(first))
			}
		})
	}
}

func TestSourceErrors(t *testing.T) {
	_, err := OpenSource("no-such.wav", SourceConfig{})
	require.ErrorIs(t, err, os.ErrNotExist)
	_, err = NewSource(bytes.NewReader([]byte("RIFF not a wav")), SourceConfig{})
	require.Error(t, err)
	_, err = OpenSource(hello, SourceConfig{Chunk: time.Second})
	require.Error(t, err)
}

func TestSourceRealtimeIsPacedAndClosable(t *testing.T) {
	src, err := OpenSource(hello, SourceConfig{Realtime: true})
	require.NoError(t, err)
	start := time.Now()
	for range 5 {
		_, err := src.Next(context.Background())
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, time.Since(start), 95*time.Millisecond, "5 chunks of 20 ms are not returned early")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = src.Next(ctx)
	require.ErrorIs(t, err, context.Canceled)

	done := make(chan error, 1)
	go func() {
		for {
			if _, err := src.Next(context.Background()); err != nil {
				done <- err
				return
			}
		}
	}()
	require.NoError(t, src.Close())
	require.NoError(t, src.Close())
	require.ErrorIs(t, <-done, io.EOF)
}

func tone(freq float64, rate int, d time.Duration) fullduplex.Symbol {
	n := int(int64(rate) * int64(d) / int64(time.Second))
	return fullduplex.AudioSymbol(pcm.EncodeInt16(nil, pcm.AppendTone(nil, freq, 0.5, rate, n)), rate)
}

func readWAV(t *testing.T, path string) *pcm.WAV {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	return w
}

func TestSinkWritesResampledAudio(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateSink(path, SinkConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	for range 50 {
		require.NoError(t, sink.Write(ctx, tone(1000, 24000, 20*time.Millisecond)))
	}
	require.NoError(t, sink.Write(ctx, fullduplex.TextSymbol("ignored")))
	require.NoError(t, sink.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	require.ErrorIs(t, sink.Write(ctx, fullduplex.AudioSymbol([]byte{1}, 24000)), fullduplex.ErrInvalidSymbol)
	sink.Flush() // nothing to drop
	assert.False(t, sink.Playing())
	require.NoError(t, sink.Close())
	require.NoError(t, sink.Close())
	require.ErrorIs(t, sink.Write(ctx, tone(1000, 24000, 20*time.Millisecond)), ErrClosed)

	w := readWAV(t, path)
	assert.Equal(t, 24000, w.SampleRate)
	assert.Equal(t, 1, w.Channels)
	assert.Len(t, w.Samples, 24000)
	snr, err := pcm.ToneSNR(w.Samples[1000:23000], 1000, 24000)
	require.NoError(t, err)
	assert.Greater(t, snr, 60.0)
}

func TestRealtimeSinkFlushLeavesSilence(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateSink(path, SinkConfig{SampleRate: 16000, Realtime: true})
	require.NoError(t, err)
	ctx := context.Background()
	require.NoError(t, sink.Write(ctx, tone(440, 16000, 2*time.Second)))
	require.Eventually(t, sink.Playing, time.Second, 5*time.Millisecond)
	require.Eventually(t, func() bool { return sink.Level() > 0.3 }, time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	sink.Flush()
	assert.Zero(t, sink.Queued())
	flushedAt := sink.Written()
	require.Eventually(t, func() bool { return !sink.Playing() }, time.Second, 5*time.Millisecond)
	time.Sleep(100 * time.Millisecond)
	// A new turn plays after the flush, then drains.
	require.NoError(t, sink.Write(ctx, tone(440, 16000, 100*time.Millisecond)))
	require.NoError(t, sink.Drain(ctx))
	require.NoError(t, sink.Close())

	w := readWAV(t, path)
	s := w.Samples
	// Find the stretch of silence after the flush: at most one Period of
	// tone can follow the Flush call.
	from := int(flushedAt) + 160
	require.Greater(t, len(s), from+1600)
	quiet := s[from : from+1280]
	assert.Equal(t, pcm.SilenceDB, pcm.DBFS(quiet), "silence after Flush")
	var toneSamples int
	for i := 0; i+160 <= len(s); i += 160 {
		if pcm.DBFS(s[i:i+160]) > -20 {
			toneSamples += 160
		}
	}
	assert.Less(t, toneSamples, 16000, "far less than the 2 s written was played")
	assert.GreaterOrEqual(t, toneSamples, 1600, "the new turn played")
}

// A turn at another rate is written whole: EventStreamEnd adds the
// resampler's last samples, so 1 s at 16 kHz is 1 s in a 24 kHz file.
func TestSinkWritesTheWholeTurn(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	sink, err := CreateSink(path, SinkConfig{})
	require.NoError(t, err)
	ctx := context.Background()
	for range 50 {
		require.NoError(t, sink.Write(ctx, tone(1000, 16000, 20*time.Millisecond)))
	}
	require.NoError(t, sink.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	assert.EqualValues(t, 24000, sink.Written())
	require.NoError(t, sink.Close())
	assert.Equal(t, 24000, len(readWAV(t, path).Samples))
}
