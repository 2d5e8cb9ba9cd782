package vad

import (
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
	"github.com/stretchr/testify/require"
)

// testUtterances are the committed utterances (testdata/README.md).
var testUtterances = []string{"utt02.wav", "utt10.wav", "utt13.wav", "utt15.wav"}

// cleanStream lays the committed utterances end to end at rate, with 2 s of
// silence first and 1.5 s between them, labelled per 20 ms frame.
func cleanStream(t testing.TB, rate int) vadeval.Stream {
	t.Helper()
	var utts [][]int16
	for _, name := range testUtterances {
		utts = append(utts, loadTestdata(t, name, rate))
	}
	s, err := vadeval.Build(utts, rate, 20*time.Millisecond, 2*time.Second, 1500*time.Millisecond)
	require.NoError(t, err)
	return s
}

// A noise condition of the tests. The noise is generated in Go (Gaussian
// white noise, and vadeval.BrownNoise), not the benchmark's sox noise, so
// the floors also check that the detector is not tuned to one noise file.
type noiseCase struct {
	name  string
	clean bool    // no noise
	brown bool    // brown noise, else white
	snr   float64 // dB below the speech level
}

var noiseCases = []noiseCase{
	{name: "clean", clean: true},
	{name: "white 20 dB", snr: 20}, {name: "white 10 dB", snr: 10}, {name: "white 0 dB", snr: 0},
	{name: "brown 20 dB", brown: true, snr: 20}, {name: "brown 10 dB", brown: true, snr: 10}, {name: "brown 0 dB", brown: true, snr: 0},
}

func noisy(t testing.TB, s vadeval.Stream, c noiseCase) vadeval.Stream {
	t.Helper()
	if c.clean {
		return s
	}
	noise := pcm.AppendNoise(nil, 0.1, len(s.Samples), 7)
	if c.brown {
		noise = vadeval.BrownNoise(len(s.Samples), 0.1, 7)
	}
	out, err := s.WithNoise(noise, c.snr)
	require.NoError(t, err)
	return out
}

// gmmJudge and energyJudge adapt a detector's per-frame verdict (what
// audio/bargein consumes) to vadeval.
func gmmJudge(t testing.TB, cfg GMMConfig) vadeval.FrameFunc {
	t.Helper()
	d, err := NewGMM(cfg)
	require.NoError(t, err)
	return func(f []int16) (bool, error) {
		_, err := d.Process(f)
		return d.Last().Speech, err
	}
}

func energyJudge(t testing.TB, cfg Config) vadeval.FrameFunc {
	t.Helper()
	d, err := New(cfg)
	require.NoError(t, err)
	return func(f []int16) (bool, error) {
		_, err := d.Process(f)
		return d.Last().Speech, err
	}
}
