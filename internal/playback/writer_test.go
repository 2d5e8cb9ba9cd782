package playback

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// recorder is an Output that keeps what was pushed, per generation.
type recorder struct {
	gen    uint64
	pushed map[uint64][]int16
	err    error
}

func newRecorder() *recorder { return &recorder{pushed: map[uint64][]int16{}} }

func (r *recorder) Generation() uint64 { return r.gen }

func (r *recorder) Push(_ context.Context, gen uint64, s []int16) error {
	if r.err != nil {
		return r.err
	}
	if gen == r.gen {
		r.pushed[gen] = append(r.pushed[gen], s...)
	}
	return nil
}

func toneSym(rate, n, channels int) fullduplex.Symbol {
	mono := pcm.AppendTone(nil, 500, 0.5, rate, n)
	inter := make([]int16, 0, n*channels)
	for _, v := range mono {
		for range channels {
			inter = append(inter, v)
		}
	}
	s := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, inter), rate)
	s.Metadata[fullduplex.MetaChannels] = channels
	return s
}

// A turn written in pieces and ended comes out at the output rate, with
// every sample the resampler owes it: ceil(n·out/in).
func TestWriterConvertsAWholeTurn(t *testing.T) {
	cases := []struct {
		name              string
		in, out, channels int
	}{
		{"16k to 24k", 16000, 24000, 1},
		{"24k stereo to 48k", 24000, 48000, 2},
		{"48k to 16k", 48000, 16000, 1},
		{"same rate", 24000, 24000, 1},
	}
	ctx := context.Background()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := newRecorder()
			w := NewWriter(rec, c.out, "test")
			assert.Equal(t, c.out, w.Rate())
			chunk := c.in / 50
			for range 10 {
				require.NoError(t, w.Write(ctx, toneSym(c.in, chunk, c.channels)))
			}
			require.NoError(t, w.Write(ctx, fullduplex.TextSymbol("ignored")))
			require.NoError(t, w.Write(ctx, fullduplex.NewEvent(fullduplex.EventToolCall, nil)))
			require.NoError(t, w.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
			want := int(math.Ceil(float64(10*chunk) * float64(c.out) / float64(c.in)))
			got := rec.pushed[0]
			require.Equal(t, want, len(got), "the whole turn, the resampler's tail included")
			snr, err := pcm.ToneSNR(got[len(got)/4:len(got)*3/4], 500, c.out)
			require.NoError(t, err)
			assert.Greater(t, snr, 50.0)
		})
	}
}

// After a flush (a new generation), the flushed audio's resampler tail is
// neither played at the end of the turn nor mixed into the next one.
func TestWriterDropsTheTailOfFlushedAudio(t *testing.T) {
	ctx := context.Background()
	rec := newRecorder()
	w := NewWriter(rec, 24000, "test")
	require.NoError(t, w.Write(ctx, toneSym(16000, 320, 1)))
	first := len(rec.pushed[0])
	rec.gen++ // Flush
	require.NoError(t, w.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	assert.Empty(t, rec.pushed[1], "no tail of the flushed turn")
	assert.Equal(t, first, len(rec.pushed[0]))

	// A new turn starts from a fresh resampler: its output is as long as
	// a first turn's would be.
	require.NoError(t, w.Write(ctx, toneSym(16000, 320, 1)))
	require.NoError(t, w.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	assert.Equal(t, 480, len(rec.pushed[1]))

	// A flush between two symbols of one turn: the second starts fresh.
	rec.gen++
	require.NoError(t, w.Write(ctx, toneSym(16000, 320, 1)))
	assert.Equal(t, first, len(rec.pushed[2]))
}

func TestWriterErrors(t *testing.T) {
	ctx := context.Background()
	rec := newRecorder()
	w := NewWriter(rec, 24000, "spk")
	halfFrame := toneSym(24000, 3, 2)
	halfFrame.Data = halfFrame.Data[:10] // 2.5 stereo frames
	for _, s := range []fullduplex.Symbol{
		fullduplex.AudioSymbol([]byte{1, 2, 3}, 24000), // odd length
		fullduplex.AudioSymbol([]byte{1, 2}, 0),        // no rate
		halfFrame,
	} {
		err := w.Write(ctx, s)
		require.ErrorIs(t, err, fullduplex.ErrInvalidSymbol)
		assert.Contains(t, err.Error(), "spk: ")
	}
	require.NoError(t, w.Write(ctx, fullduplex.AudioSymbol(nil, 24000)), "empty audio is nothing to play")
	assert.Empty(t, rec.pushed)

	boom := errors.New("boom")
	rec.err = boom
	require.ErrorIs(t, w.Write(ctx, toneSym(24000, 480, 1)), boom)
}

func TestWriterAllocatesNothingInSteadyState(t *testing.T) {
	ctx := context.Background()
	w := NewWriter(discard{}, 48000, "test")
	sym := toneSym(24000, 960, 1)
	require.NoError(t, w.Write(ctx, sym))
	allocs := testing.AllocsPerRun(100, func() { _ = w.Write(ctx, sym) })
	assert.Zero(t, allocs)
}

type discard struct{}

func (discard) Generation() uint64                          { return 0 }
func (discard) Push(context.Context, uint64, []int16) error { return nil }
