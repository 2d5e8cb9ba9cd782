package audio

import (
	"context"
	"errors"
	"io"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMicrophoneHearsSpeechPlayedIntoMicSink(t *testing.T) {
	requireRig(t)
	mic, err := OpenMicrophone(MicrophoneConfig{})
	require.NoError(t, err)
	defer mic.Close()
	assert.Equal(t, 16000, mic.SampleRate())

	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	var levels []float64
	var all []int16
	read := func(d time.Duration) {
		for n := int(d / DefaultChunk); n > 0; n-- {
			s, err := mic.Next(ctx)
			require.NoError(t, err)
			require.Equal(t, fullduplex.ModalityAudio, s.Modality)
			require.Equal(t, 16000, s.SampleRate())
			require.Len(t, s.Data, 640, "20 ms of 16 kHz 16-bit mono")
			require.Equal(t, fullduplex.RoleUser, s.Role())
			samples, err := pcm.DecodeInt16(nil, s.Data)
			require.NoError(t, err)
			all = append(all, samples...)
			levels = append(levels, pcm.DBFS(samples))
		}
	}
	read(500 * time.Millisecond) // silence first
	play := exec.CommandContext(ctx, "paplay", "--device=mic", "../testdata/hello.wav")
	require.NoError(t, play.Start())
	read(4 * time.Second)
	require.NoError(t, play.Wait())

	quiet := 0
	for _, l := range levels[:20] {
		if l < -70 {
			quiet++
		}
	}
	assert.GreaterOrEqual(t, quiet, 15, "the first 400 ms are silent")
	speech := loud(all, 16000)
	require.NotEmpty(t, speech, "the speech reached the microphone")
	assert.InDelta(t, 2.8, float64(len(speech))/16000, 0.3, "speech duration in seconds")
	assert.Greater(t, pcm.DBFS(speech), -35.0, "speech level")

	st := mic.Stats()
	assert.Zero(t, st.Overflows)
	assert.Greater(t, st.Captured, int64(mic.DeviceRate()*4))
	t.Logf("device %q at %d Hz: speech %.2f s at %.1f dBFS; %+v", mic.Device().Name, mic.DeviceRate(), float64(len(speech))/16000, pcm.DBFS(speech), st)
}

func TestMicrophoneCloseUnblocksNext(t *testing.T) {
	requireRig(t)
	mic, err := OpenMicrophone(MicrophoneConfig{Chunk: 100 * time.Millisecond})
	require.NoError(t, err)
	ctx := context.Background()
	s, err := mic.Next(ctx)
	require.NoError(t, err)
	assert.Len(t, s.Data, 3200)
	assert.WithinDuration(t, time.Now(), s.Timestamp, 500*time.Millisecond)

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			if _, err := mic.Next(ctx); err != nil {
				errs <- err
				return
			}
		}
	}()
	time.Sleep(150 * time.Millisecond)
	require.NoError(t, mic.Close())
	require.NoError(t, mic.Close())
	wg.Wait()
	require.ErrorIs(t, <-errs, io.EOF)
	_, err = mic.Next(ctx)
	require.ErrorIs(t, err, io.EOF)

	cctx, cancel := context.WithCancel(context.Background())
	cancel()
	mic2, err := OpenMicrophone(MicrophoneConfig{})
	require.NoError(t, err)
	defer mic2.Close()
	_, err = mic2.Next(cctx)
	if err != nil { // a chunk may already be waiting
		require.True(t, errors.Is(err, context.Canceled))
	}
}
