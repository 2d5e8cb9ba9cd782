package pcm

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLevels(t *testing.T) {
	for _, tc := range []struct {
		name    string
		samples []int16
		rms     float64
		db      float64
	}{
		{"empty", nil, 0, SilenceDB},
		{"silence", make([]int16, 100), 0, SilenceDB},
		{"full-scale sine", AppendTone(nil, 1000, 1, 48000, 48000), math.Sqrt(0.5), -3.01},
		{"-20 dB sine", AppendTone(nil, 1000, 0.1, 48000, 48000), 0.1 * math.Sqrt(0.5), -23.01},
		{"-30 dBFS noise", AppendNoise(nil, DBToAmplitude(-30), 48000, 1), DBToAmplitude(-30), -30},
		{"square", []int16{-32768, -32768}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.InDelta(t, tc.rms, RMS(tc.samples), 0.002)
			assert.InDelta(t, tc.db, DBFS(tc.samples), 0.1)
		})
	}
}

func TestSNR(t *testing.T) {
	ref := AppendTone(nil, 1000, 0.5, 16000, 16000)
	_, err := SNR(ref, ref[:10])
	require.ErrorIs(t, err, ErrMeasure)
	_, err = SNR(nil, nil)
	require.ErrorIs(t, err, ErrMeasure)
	_, err = SNR(make([]int16, 4), make([]int16, 4))
	require.ErrorIs(t, err, ErrMeasure)

	snr, err := SNR(ref, ref)
	require.NoError(t, err)
	assert.True(t, math.IsInf(snr, 1))

	noisy := Mix(append([]int16(nil), ref...), AppendNoise(nil, 0.5*math.Sqrt(0.5)/100, len(ref), 3))
	snr, err = SNR(ref, noisy)
	require.NoError(t, err)
	assert.InDelta(t, 40, snr, 0.5)
}

func TestToneSNR(t *testing.T) {
	for _, tc := range []struct {
		name  string
		noise float64 // dB relative to the tone's RMS
		want  float64
	}{
		{"clean int16", math.Inf(-1), 95}, // quantisation only: about 98 dB at -6 dBFS
		{"40 dB", -40, 40},
		{"20 dB", -20, 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			x := AppendTone(nil, 1000, 0.5, 16000, 16000)
			if !math.IsInf(tc.noise, -1) {
				Mix(x, AppendNoise(nil, 0.5*math.Sqrt(0.5)*DBToAmplitude(tc.noise), len(x), 5))
				snr, err := ToneSNR(x, 1000, 16000)
				require.NoError(t, err)
				assert.InDelta(t, tc.want, snr, 0.5)
				return
			}
			snr, err := ToneSNR(x, 1000, 16000)
			require.NoError(t, err)
			assert.Greater(t, snr, tc.want)
		})
	}
	// Phase and DC offset do not matter.
	x := AppendTone(nil, 1000, 0.5, 16000, 16004)[4:]
	for i := range x {
		x[i] += 1000
	}
	snr, err := ToneSNR(x, 1000, 16000)
	require.NoError(t, err)
	assert.Greater(t, snr, 90.0)

	_, err = ToneSNR(x, 9000, 16000)
	require.ErrorIs(t, err, ErrMeasure)
	_, err = ToneSNR(x[:3], 1000, 16000)
	require.ErrorIs(t, err, ErrMeasure)
	_, err = ToneSNR(make([]int16, 100), 1000, 16000)
	require.ErrorIs(t, err, ErrMeasure)
}

func TestGenerators(t *testing.T) {
	assert.Empty(t, AppendTone(nil, 1000, 1, 16000, 0))
	assert.Empty(t, AppendNoise(nil, 1, -1, 0))
	assert.Equal(t, []int16{3, 0, 0}, AppendSilence([]int16{3}, 2))
	assert.Equal(t, AppendNoise(nil, 0.1, 100, 42), AppendNoise(nil, 0.1, 100, 42))
	assert.NotEqual(t, AppendNoise(nil, 0.1, 100, 42), AppendNoise(nil, 0.1, 100, 43))
	assert.Equal(t, []int16{32767, -32768, 3}, Mix([]int16{32000, -32000, 1}, []int16{32000, -32000, 2, 9}))
	assert.InDelta(t, 0.5, DBToAmplitude(AmplitudeToDB(0.5)), 1e-12)
}
