package audio

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// toneSymbols returns d of a freq Hz tone at rate in 20 ms audio symbols.
func toneSymbols(freq, amp float64, rate int, d time.Duration) []fullduplex.Symbol {
	n := int(int64(rate) * int64(d) / int64(time.Second))
	tone := pcm.AppendTone(nil, freq, amp, rate, n)
	var out []fullduplex.Symbol
	step := rate / 50
	for i := 0; i < len(tone); i += step {
		out = append(out, fullduplex.AudioSymbol(pcm.EncodeInt16(nil, tone[i:min(i+step, len(tone))]), rate))
	}
	return out
}

// loud returns the samples from the first to the last 10 ms window above
// -40 dBFS.
func loud(s []int16, rate int) []int16 {
	w := rate / 100
	first, last := -1, -1
	for i := 0; i+w <= len(s); i += w {
		if pcm.DBFS(s[i:i+w]) > -40 {
			if first < 0 {
				first = i
			}
			last = i + w
		}
	}
	if first < 0 {
		return nil
	}
	return s[first:last]
}

func TestSpeakerPlaysToneRecordedFromMonitor(t *testing.T) {
	requireRig(t)
	rec := record(t, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	time.Sleep(200 * time.Millisecond) // the recorder is running

	ctx := context.Background()
	// Gemini's output rate; the device runs at its own.
	for _, s := range toneSymbols(1000, 0.5, 24000, time.Second) {
		require.NoError(t, sp.Write(ctx, s))
	}
	require.NoError(t, sp.Write(ctx, fullduplex.TextSymbol("ignored")))
	require.NoError(t, sp.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	require.NoError(t, sp.Drain(ctx))
	time.Sleep(300 * time.Millisecond)
	rec.Stop()

	st := sp.Stats()
	assert.InDelta(t, time.Second, st.PlayedDuration, float64(20*time.Millisecond))
	assert.Zero(t, st.Queued)

	tone := loud(rec.Samples(), 16000)
	require.NotEmpty(t, tone, "the tone reached the speaker sink's monitor")
	assert.InDelta(t, 1.0, float64(len(tone))/16000, 0.05, "tone duration in seconds")
	steady := tone[len(tone)/10 : len(tone)*9/10]
	assert.InDelta(t, pcm.AmplitudeToDB(0.5/1.4142), pcm.DBFS(steady), 1.5, "level of a -6 dBFS-peak sine")
	snr, err := pcm.ToneSNR(steady, 1000, 16000)
	require.NoError(t, err)
	assert.Greater(t, snr, 40.0, "a clean 1 kHz tone after 24k→device→16k")
	t.Logf("device %q at %d Hz; tone %.3f s, %.1f dBFS, SNR %.1f dB; %+v", sp.Device().Name, sp.DeviceRate(), float64(len(tone))/16000, pcm.DBFS(steady), snr, st)
}

func TestSpeakerFlushSilences(t *testing.T) {
	requireRig(t)
	rec := record(t, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	ctx := context.Background()
	for _, s := range toneSymbols(440, 0.5, 24000, 3*time.Second) {
		require.NoError(t, sp.Write(ctx, s))
	}
	start := time.Now()
	require.True(t, waitFor(3*time.Second, func() bool {
		s := rec.Since(start)
		return len(s) > 1600 && pcm.DBFS(s[len(s)-160:]) > -20
	}), "the tone is heard before the flush")
	assert.True(t, sp.Playing())
	assert.Greater(t, sp.Level(), 0.1)

	sp.Flush()
	flushed := time.Now()
	time.Sleep(500 * time.Millisecond)
	rec.Stop()

	// Allow 200 ms for the audio already handed to PulseAudio and for the
	// recorder's own latency; after that there must be silence.
	after := rec.Since(flushed.Add(200 * time.Millisecond))
	require.NotEmpty(t, after)
	assert.Less(t, pcm.DBFS(after), -80.0, "silence after Flush")
	st := sp.Stats()
	assert.EqualValues(t, 1, st.Flushes)
	assert.Zero(t, st.Queued)
	assert.Greater(t, st.FlushedFrames, int64(sp.DeviceRate())) // > 1 s dropped
	assert.Less(t, st.PlayedDuration, 2*time.Second)
	assert.False(t, sp.Playing())

	// Audio written after a flush plays normally.
	played := st.Played
	for _, s := range toneSymbols(440, 0.5, 24000, 200*time.Millisecond) {
		require.NoError(t, sp.Write(ctx, s))
	}
	require.NoError(t, sp.Drain(ctx))
	assert.InDelta(t, int64(sp.DeviceRate()/5), sp.Stats().Played-played, float64(sp.DeviceRate()/50))
}

func TestSpeakerCloseIsIdempotent(t *testing.T) {
	requireRig(t)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	require.NoError(t, sp.Close())
	require.NoError(t, sp.Close())
	err = sp.Write(context.Background(), toneSymbols(440, 0.5, 24000, 20*time.Millisecond)[0])
	require.ErrorIs(t, err, ErrClosed)
}

func TestSeveralDevicesCoexist(t *testing.T) {
	requireRig(t)
	a, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	b, err := OpenSpeaker(SpeakerConfig{Device: "pulse"})
	require.NoError(t, err)
	m, err := OpenMicrophone(MicrophoneConfig{})
	require.NoError(t, err)
	require.NoError(t, a.Close())
	// b and m still run after a's Close.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_, err = m.Next(ctx)
	require.NoError(t, err)
	require.NoError(t, b.Write(ctx, toneSymbols(440, 0.5, 24000, 20*time.Millisecond)[0]))
	require.NoError(t, b.Drain(ctx))
	require.NoError(t, m.Close())
	require.NoError(t, b.Close())
}
