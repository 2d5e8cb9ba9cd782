package audio

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// These tests drive the C callback by hand on a ring with no device, so
// they run everywhere.

func fakeMic(t *testing.T, cfg MicrophoneConfig, rate, ringSamples int) *Microphone {
	t.Helper()
	cfg, err := cfg.withDefaults()
	require.NoError(t, err)
	c, err := newCStream(true, 1, rate, ringSamples, time.Second)
	require.NoError(t, err)
	c.period = cfg.Period
	rs, err := pcm.NewResampler(rate, cfg.SampleRate)
	require.NoError(t, err)
	return newMicrophone(cfg, Device{Name: "fake"}, rate, c, rs)
}

func fakeSpeaker(t *testing.T, cfg SpeakerConfig, rate int) *Speaker {
	t.Helper()
	cfg, err := cfg.withDefaults()
	require.NoError(t, err)
	c, err := newCStream(false, 1, rate, ringSize(rate, cfg.Buffer), cfg.LevelDecay)
	require.NoError(t, err)
	c.period = cfg.Period
	return newSpeaker(cfg, Device{Name: "fake"}, rate, c)
}

func TestFakeMicrophoneResamplesAndChunks(t *testing.T) {
	m := fakeMic(t, MicrophoneConfig{}, 48000, 48000)
	defer m.Close()
	tone := pcm.AppendTone(nil, 440, 0.5, 48000, 48000)
	for i := 0; i+480 <= len(tone); i += 480 {
		m.c.drive(tone[i:i+480], nil, 480, 0)
	}
	ctx := context.Background()
	var got []int16
	for range 45 {
		s, err := m.Next(ctx)
		require.NoError(t, err)
		require.Len(t, s.Data, 640)
		got, err = pcm.DecodeInt16(got, s.Data)
		require.NoError(t, err)
	}
	snr, err := pcm.ToneSNR(got[1600:], 440, 16000)
	require.NoError(t, err)
	assert.Greater(t, snr, 60.0)
	st := m.Stats()
	assert.EqualValues(t, 48000, st.Captured)
	assert.EqualValues(t, 100, st.Callbacks)
	assert.EqualValues(t, 45, st.Chunks)
	assert.Zero(t, st.Overflows)
}

func TestFakeMicrophoneCountsOverflows(t *testing.T) {
	m := fakeMic(t, MicrophoneConfig{}, 16000, 1000)
	defer m.Close()
	frame := make([]int16, 160)
	for range 10 { // 1600 samples into a 1000-sample ring
		m.c.drive(frame, nil, 160, 0)
	}
	st := m.Stats()
	assert.EqualValues(t, 1600, st.Captured)
	assert.EqualValues(t, 600, st.DroppedFrames)
	assert.EqualValues(t, 4, st.Overflows)
	m.c.drive(frame, nil, 160, 0x2) // paInputOverflow
	assert.EqualValues(t, 1, m.Stats().DeviceOverflows)
	// Not fatal: Next still delivers what fitted.
	_, err := m.Next(context.Background())
	require.NoError(t, err)
}

func TestFakeMicrophoneStallIsDeviceLost(t *testing.T) {
	m := fakeMic(t, MicrophoneConfig{StallTimeout: 50 * time.Millisecond}, 16000, 16000)
	defer m.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := m.Next(ctx)
	require.ErrorIs(t, err, ErrDeviceLost)
	assert.Contains(t, err.Error(), `"fake"`)
}

func TestFakeMicrophoneNextHonoursContextAndClose(t *testing.T) {
	m := fakeMic(t, MicrophoneConfig{}, 16000, 16000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := m.Next(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	done := make(chan error, 1)
	go func() {
		_, err := m.Next(context.Background())
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, m.Close())
	require.ErrorIs(t, <-done, io.EOF)
}

func TestFakeSpeakerPlaysFlushesAndCounts(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 48000)
	defer sp.Close()
	ctx := context.Background()
	require.NoError(t, sp.Write(ctx, fullduplex.TextSymbol("ignored")))
	require.NoError(t, sp.Write(ctx, fullduplex.NewEvent(fullduplex.EventToolCall, nil)))
	for _, s := range toneSymbols(1000, 0.5, 24000, 500*time.Millisecond) {
		require.NoError(t, sp.Write(ctx, s))
	}
	assert.InDelta(t, 24000, sp.Stats().Queued, 100, "500 ms at 48 kHz")
	assert.True(t, sp.Playing())

	out := make([]int16, 480)
	sp.c.drive(nil, out, 480, 0)
	assert.Greater(t, pcm.DBFS(out), -12.0, "the tone plays")
	assert.Greater(t, sp.Level(), 0.3)

	sp.Flush()
	sp.c.drive(nil, out, 480, 0)
	assert.Equal(t, pcm.SilenceDB, pcm.DBFS(out), "silence in the first callback after Flush")
	st := sp.Stats()
	assert.Zero(t, st.Queued)
	assert.EqualValues(t, 480, st.Played)
	assert.InDelta(t, 24000-480, st.FlushedFrames, 100)
	assert.Zero(t, st.Underruns, "a flush is not an underrun")
	assert.EqualValues(t, 1, st.Flushes)
	assert.False(t, sp.Playing())

	// A new turn plays normally, from a reset resampler.
	for _, s := range toneSymbols(1000, 0.5, 24000, 20*time.Millisecond) {
		require.NoError(t, sp.Write(ctx, s))
	}
	require.NoError(t, sp.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	assert.Equal(t, 960, sp.Stats().Queued, "20 ms at 48 kHz including the resampler's tail")
	sp.c.drive(nil, out, 480, 0)
	sp.c.drive(nil, out, 480, 0)
	sp.c.drive(nil, out, 480, 0)
	assert.EqualValues(t, 1, sp.Stats().Underruns, "ran dry after playing")
}

func TestFakeSpeakerStereoDeviceAndStereoInput(t *testing.T) {
	cfg, err := SpeakerConfig{}.withDefaults()
	require.NoError(t, err)
	c, err := newCStream(false, 2, 16000, 16000, cfg.LevelDecay)
	require.NoError(t, err)
	c.period = cfg.Period
	sp := newSpeaker(cfg, Device{Name: "fake"}, 16000, c)
	defer sp.Close()
	// Stereo 16 kHz in: L=1000, R=3000 → mono 2000 on both device channels.
	in := make([]int16, 2*160)
	for i := range 160 {
		in[2*i], in[2*i+1] = 1000, 3000
	}
	s := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, in), 16000)
	s = s.WithMeta(fullduplex.MetaChannels, 2)
	require.NoError(t, sp.Write(context.Background(), s))
	out := make([]int16, 2*160)
	sp.c.drive(nil, out, 160, 0)
	assert.Equal(t, []int16{2000, 2000}, out[2*100:2*100+2])
}

func TestFakeSpeakerRejectsBadAudio(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 48000)
	defer sp.Close()
	ctx := context.Background()
	odd := fullduplex.AudioSymbol([]byte{1, 2, 3}, 24000)
	require.ErrorIs(t, sp.Write(ctx, odd), fullduplex.ErrInvalidSymbol)
	noRate := fullduplex.AudioSymbol([]byte{1, 2}, 0)
	require.ErrorIs(t, sp.Write(ctx, noRate), fullduplex.ErrInvalidSymbol)
	require.NoError(t, sp.Write(ctx, fullduplex.AudioSymbol(nil, 24000)), "empty audio is nothing to play")
}

func TestFakeSpeakerBackpressure(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{Buffer: 100 * time.Millisecond}, 16000)
	defer sp.Close()
	ctx := context.Background()
	syms := toneSymbols(440, 0.5, 16000, 100*time.Millisecond)
	for _, s := range syms {
		require.NoError(t, sp.Write(ctx, s), "fits")
	}
	assert.Equal(t, sp.c.capacity(), sp.Stats().Queued)

	// Full: Write waits until ctx is done...
	short, cancel := context.WithTimeout(ctx, 30*time.Millisecond)
	defer cancel()
	require.ErrorIs(t, sp.Write(short, syms[0]), context.DeadlineExceeded)

	// ...or until the callback makes room.
	done := make(chan error, 1)
	go func() { done <- sp.Write(ctx, syms[0]) }()
	out := make([]int16, 320)
	sp.c.drive(nil, out, 320, 0)
	require.NoError(t, <-done)

	// ...or until Flush, which drops the rest.
	go func() { done <- sp.Write(ctx, syms[0]) }()
	time.Sleep(20 * time.Millisecond)
	sp.Flush()
	require.NoError(t, <-done)
	sp.c.drive(nil, out, 320, 0) // the callback frees the flushed room

	// ...or Close.
	for _, s := range syms {
		require.NoError(t, sp.Write(ctx, s))
	}
	go func() { done <- sp.Write(ctx, syms[0]) }()
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, sp.Close())
	require.ErrorIs(t, <-done, ErrClosed)
}

func TestFakeSpeakerStallIsDeviceLost(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{Buffer: 20 * time.Millisecond, StallTimeout: 50 * time.Millisecond}, 16000)
	defer sp.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var err error
	for _, s := range toneSymbols(440, 0.5, 16000, 200*time.Millisecond) {
		if err = sp.Write(ctx, s); err != nil {
			break
		}
	}
	require.ErrorIs(t, err, ErrDeviceLost)
	require.ErrorIs(t, sp.Drain(ctx), ErrDeviceLost)
}

func TestFakeSpeakerReference(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 16000)
	defer sp.Close()
	ctx := context.Background()
	out := make([]int16, 160)
	sp.c.drive(nil, out, 160, 0) // silence is played, and tapped
	sp.ResetReference()
	require.NoError(t, sp.Write(ctx, toneSymbols(440, 0.5, 16000, 20*time.Millisecond)[0]))
	sp.c.drive(nil, out, 160, 0)
	sp.c.drive(nil, out, 160, 0)
	sp.c.drive(nil, out, 160, 0)
	ref := make([]int16, 1000)
	n := sp.ReadReference(ref)
	require.Equal(t, 480, n, "every played sample, silence included")
	assert.Equal(t, out, ref[320:480], "exactly what was played")
	assert.Greater(t, pcm.DBFS(ref[:320]), -10.0)
	assert.Zero(t, sp.ReadReference(ref))
}
