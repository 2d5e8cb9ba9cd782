package vadeval

import (
	"math"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const rate = 16000

// tone returns n samples of a 200 Hz tone at peak amplitude a.
func tone(a float64, n int) []int16 { return pcm.AppendTone(nil, 200, a, rate, n) }

func TestLabel(t *testing.T) {
	const f = 320
	// loud, 40 ms gap, loud, 60 ms gap, 39 dB quieter, 50 dB quieter, silence
	u := tone(0.5, 2*f)
	u = append(u, make([]int16, 2*f)...)
	u = append(u, tone(0.5, f)...)
	u = append(u, make([]int16, 3*f)...)
	u = append(u, tone(0.5*pcm.DBToAmplitude(-39), f)...)
	u = append(u, tone(0.5*pcm.DBToAmplitude(-50), f)...)
	u = append(u, make([]int16, f/2)...) // a partial last frame
	got := Label(u, f)
	want := []bool{true, true, true, true, true, false, false, false, true, false, false}
	assert.Equal(t, want, got)
}

func TestBuild(t *testing.T) {
	const f = 320
	a := append(make([]int16, f), tone(0.9, 5*f+7)...) // partial last frame
	b := tone(0.01, 3*f)
	s, err := Build([][]int16{a, b}, rate, 20*time.Millisecond, 100*time.Millisecond, 60*time.Millisecond)
	require.NoError(t, err)
	assert.Equal(t, f, s.FrameLen)
	// lead 5 frames, a 7 frames (1 quiet + 6), gap 3, b 3, gap 3
	require.Equal(t, 5+7+3+3+3, s.Frames())
	assert.Len(t, s.Samples, s.Frames()*f)
	assert.Equal(t, []Span{{6, 12}, {15, 18}}, s.Utterances)
	for i, l := range s.Labels {
		in := i >= 6 && i < 12 || i >= 15 && i < 18
		assert.Equal(t, in, l, "frame %d", i)
	}
	// Both utterances at SpeechLevelDB over their speech frames,
	// whatever their levels before.
	for _, u := range s.Utterances {
		assert.InDelta(t, SpeechLevelDB, pcm.DBFS(s.Samples[u.Start*f:u.End*f-f]), 0.3)
	}
	assert.Zero(t, pcm.RMS(s.Samples[:5*f]), "lead is silence")

	_, err = Build(nil, rate, 20*time.Millisecond, 0, 0)
	require.Error(t, err)
	_, err = Build([][]int16{make([]int16, 1000)}, rate, 20*time.Millisecond, 0, 0)
	require.ErrorContains(t, err, "no speech")
}

func TestWithNoise(t *testing.T) {
	s, err := Build([][]int16{tone(0.5, 16000)}, rate, 20*time.Millisecond, time.Second, time.Second)
	require.NoError(t, err)
	short := pcm.AppendNoise(nil, 0.3, 4000, 1) // repeated
	for _, snr := range []float64{20, 10, 0, -5} {
		n, err := s.WithNoise(short, snr)
		require.NoError(t, err)
		assert.Len(t, n.Samples, len(s.Samples))
		assert.Equal(t, s.Labels, n.Labels)
		assert.InDelta(t, SpeechLevelDB-snr, pcm.DBFS(n.Samples[:s.Utterances[0].Start*s.FrameLen]), 0.5, "noise level in the lead")
	}
	assert.Equal(t, int16(0), s.Samples[0], "the original is untouched")
	_, err = s.WithNoise(nil, 0)
	require.Error(t, err)
	_, err = s.WithNoise(make([]int16, 10), 0)
	require.Error(t, err)
}

func TestScore(t *testing.T) {
	// 40 frames of 20 ms; speech in 10-19 and 30-34.
	s := Stream{Rate: rate, FrameLen: 320, Labels: make([]bool, 40), Utterances: []Span{{10, 20}, {30, 35}}}
	for _, u := range s.Utterances {
		for i := u.Start; i < u.End; i++ {
			s.Labels[i] = true
		}
	}
	v := make([]bool, 40)
	for i := 12; i < 24; i++ { // 12-23: found 2 frames late, 4 frames of tail
		v[i] = true
	}
	v[2] = true // a lone false frame
	r := Score(s, v)
	assert.Equal(t, Result{TP: 8, FP: 5, FN: 7, TN: 20, Onsets: []time.Duration{60 * time.Millisecond, -1},
		Caught: 1, BargeIn: []time.Duration{240 * time.Millisecond}}, r) // fires on frame 21, its 10th speech frame
	assert.InDelta(t, 8.0/13, r.Precision(), 1e-9)
	assert.InDelta(t, 8.0/15, r.Recall(), 1e-9)
	assert.InDelta(t, 16.0/28, r.F1(), 1e-9)
	assert.Equal(t, 1, r.Missed())
	assert.Equal(t, 60*time.Millisecond, r.OnsetPercentile(50))
	assert.Equal(t, 240*time.Millisecond, r.BargeInPercentile(90))
	assert.Zero(t, Result{}.F1())
	assert.Zero(t, Result{}.OnsetPercentile(50))
}

func TestBargeIns(t *testing.T) {
	f := 20 * time.Millisecond
	frames := func(pattern string) []bool {
		v := make([]bool, len(pattern))
		for i, c := range pattern {
			v[i] = c == 'x'
		}
		return v
	}
	for _, tc := range []struct {
		name, pattern string
		want          []int
	}{
		{"200 ms fires on its last frame", "..xxxxxxxxxx..", []int{11}},
		{"190 ms does not", "..xxxxxxxxx...", nil},
		{"gaps up to 60 ms do not restart", "xxxxx...xxxxx", []int{12}},
		{"a gap over 60 ms restarts", "xxxxx....xxxxx", nil},
		{"no second interrupt without a 500 ms pause", "xxxxxxxxxx" + "......" + "xxxxxxxxxx", []int{9}},
		{"re-armed after a pause over 500 ms", "xxxxxxxxxx" + "..........................." + "xxxxxxxxxx", []int{9, 46}},
		{"frames 20 ms apart add up", "x.x.x.x.x.x.x.x.x.x.x", []int{18}},
		{"frames more than 60 ms apart never", "x....x....x....x....x....x....x....x....x....x....x", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, BargeIns(frames(tc.pattern), f))
		})
	}
}

func TestFalseBargeIn(t *testing.T) {
	s := Stream{Rate: rate, FrameLen: 320, Labels: make([]bool, 100), Utterances: []Span{{50, 60}}}
	v := make([]bool, 100)
	for i := 5; i < 20; i++ {
		v[i] = true // noise read as speech, before the utterance
	}
	r := Score(s, v)
	assert.Equal(t, 1, r.FalseBargeIns)
	assert.Equal(t, []int{14}, r.FalseAt)
	assert.Zero(t, r.Caught)
}

func TestBrownNoise(t *testing.T) {
	n := BrownNoise(160000, 0.1, 3)
	assert.InDelta(t, -20, pcm.DBFS(n), 0.1)
	assert.Equal(t, n, BrownNoise(160000, 0.1, 3), "deterministic")
	assert.NotEqual(t, n, BrownNoise(160000, 0.1, 4))
	// Its energy is at low frequencies: the first difference (a
	// high-pass) is far weaker than the signal, unlike white noise's.
	diff := func(x []int16) float64 {
		var e, d float64
		for i := 1; i < len(x); i++ {
			e += float64(x[i]) * float64(x[i])
			v := float64(x[i]) - float64(x[i-1])
			d += v * v
		}
		return 10 * math.Log10(d/e)
	}
	assert.Less(t, diff(n), -20.0)
	assert.Greater(t, diff(pcm.AppendNoise(nil, 0.1, 160000, 3)), 0.0)
	assert.Empty(t, BrownNoise(0, 0.1, 1))
}

func TestRun(t *testing.T) {
	s, err := Build([][]int16{tone(0.5, 8000)}, rate, 20*time.Millisecond, time.Second, time.Second)
	require.NoError(t, err)
	calls := 0
	r, err := Run(s, func(f []int16) (bool, error) {
		calls++
		require.Len(t, f, 320)
		return pcm.RMS(f) > 0, nil
	})
	require.NoError(t, err)
	assert.Equal(t, s.Frames(), calls)
	assert.InDelta(t, 1, r.F1(), 1e-9)
	_, err = Run(s, func([]int16) (bool, error) { return false, assert.AnError })
	require.ErrorIs(t, err, assert.AnError)
}
