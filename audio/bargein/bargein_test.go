package bargein

import (
	"context"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func load(t *testing.T, name string) []int16 {
	t.Helper()
	f, err := os.Open("../../testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	require.Equal(t, 16000, w.SampleRate)
	return w.Samples
}

func gain(s []int16, db float64) []int16 {
	a := pcm.DBToAmplitude(db)
	out := make([]int16, len(s))
	for i, v := range s {
		out[i] = pcm.FloatToInt16(float32(float64(v) * a / 32768))
	}
	return out
}

// A scripted speaker: what it plays is known sample by sample, and its
// Level is the decaying peak of the last 10 ms blocks, like audio.Speaker's.
type fakeSpeaker struct {
	out   []int16 // what the speaker plays, aligned with the mic
	pos   int     // samples played so far
	level float64
}

func (f *fakeSpeaker) advance(n int) {
	for ; n > 0; n -= 160 {
		end := min(f.pos+160, len(f.out))
		rms := 0.0
		if f.pos < end {
			rms = pcm.RMS(f.out[f.pos:end])
		}
		f.level = max(rms, f.level*0.961) // exp(-10ms/250ms)
		f.pos += 160
	}
}

func (f *fakeSpeaker) Playing() bool  { return f.pos < len(f.out) }
func (f *fakeSpeaker) Level() float64 { return f.level }

// run feeds mic in 20 ms symbols, advancing the speaker in step, and
// returns the times of the interrupts.
func run(t *testing.T, mic []int16, spk *fakeSpeaker, cfg Config) []time.Duration {
	t.Helper()
	var at []time.Duration
	pos := 0
	w, err := New(nil, spk, func() { at = append(at, time.Duration(pos)*time.Second/16000) }, cfg)
	require.NoError(t, err)
	for ; pos+320 <= len(mic); pos += 320 {
		spk.advance(320)
		_, err := w.Observe(fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic[pos:pos+320]), 16000))
		require.NoError(t, err)
	}
	t.Logf("%+v", w.Stats())
	return at
}

func silence(d time.Duration) []int16 { return make([]int16, int(d.Seconds()*16000)) }

func cat(parts ...[]int16) []int16 {
	var out []int16
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// pad returns s preceded by lead of quiet noise (a real room is never
// digitally silent) and long enough to cover n samples.
func pad(s []int16, lead time.Duration, n int) []int16 {
	out := cat(silence(lead), s)
	if len(out) < n {
		out = append(out, make([]int16, n-len(out))...)
	}
	noise := pcm.AppendNoise(nil, pcm.DBToAmplitude(-65), len(out), 7)
	return pcm.Mix(out, noise)
}

func TestBargeIn(t *testing.T) {
	model := load(t, "hello.wav")    // the model's voice, 2.9 s
	user := load(t, "interrupt.wav") // the user, 1.7 s
	total := len(model) + 32000
	playing := func() *fakeSpeaker { return &fakeSpeaker{out: cat(silence(500*time.Millisecond), model)} }
	idle := func() *fakeSpeaker { return &fakeSpeaker{} }

	cases := []struct {
		name    string
		mic     []int16
		spk     *fakeSpeaker
		cfg     Config
		want    int
		wantMin time.Duration // earliest interrupt
	}{
		{
			name: "user talks over the model (headphones: no echo)",
			mic:  pad(user, 1200*time.Millisecond, total),
			spk:  playing(), cfg: Config{DisableEchoGate: true}, want: 1, wantMin: 1300 * time.Millisecond,
		},
		{
			name: "the echo gate holds back a user no louder than the model's output",
			mic:  pad(user, 1200*time.Millisecond, total),
			spk:  playing(), want: 0,
		},
		{
			name: "user talks while nothing plays",
			mic:  pad(user, 1200*time.Millisecond, total),
			spk:  idle(), want: 0,
		},
		{
			name: "echo alone (speakers, -6 dB coupling) is gated",
			mic:  pad(gain(model, -6), 500*time.Millisecond, total),
			spk:  playing(), want: 0,
		},
		{
			name: "echo alone without the gate interrupts: the problem the gate solves",
			mic:  pad(gain(model, -6), 500*time.Millisecond, total),
			spk:  playing(), cfg: Config{DisableEchoGate: true}, want: 1,
		},
		{
			name: "user well above the echo interrupts",
			mic: pcm.Mix(pad(gain(model, -20), 500*time.Millisecond, total),
				pad(gain(user, 6), 1200*time.Millisecond, total)),
			spk: playing(), cfg: Config{EchoGainDB: -20}, want: 1, wantMin: 1300 * time.Millisecond,
		},
		{
			name: "with a canceller upstream (30 dB), a normal voice interrupts",
			mic: pcm.Mix(pad(gain(model, -36), 500*time.Millisecond, total),
				pad(user, 1200*time.Millisecond, total)),
			spk: playing(), cfg: Config{EchoReduction: func() float64 { return 30 }}, want: 1, wantMin: 1300 * time.Millisecond,
		},
		{
			name: "with a canceller upstream (30 dB), its residual echo does not",
			mic:  pad(gain(model, -36), 500*time.Millisecond, total),
			spk:  playing(), cfg: Config{EchoReduction: func() float64 { return 30 }}, want: 0,
		},
		{
			name: "a short burst is not barge-in",
			mic:  pad(user[2000:2000+1600], 1200*time.Millisecond, total), // 100 ms
			spk:  playing(), cfg: Config{MinSpeech: 300 * time.Millisecond}, want: 0,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			at := run(t, c.mic, c.spk, c.cfg)
			require.Len(t, at, c.want, "interrupts at %v", at)
			for _, a := range at {
				assert.GreaterOrEqual(t, a, c.wantMin)
			}
		})
	}
}

type sliceSource struct {
	syms []fullduplex.Symbol
	err  error
}

func (s *sliceSource) Next(ctx context.Context) (fullduplex.Symbol, error) {
	if len(s.syms) == 0 {
		return fullduplex.Symbol{}, s.err
	}
	x := s.syms[0]
	s.syms = s.syms[1:]
	return x, nil
}

func TestWatcherPassesEverythingThrough(t *testing.T) {
	user := load(t, "interrupt.wav")
	mic := pad(user, 500*time.Millisecond, 0)
	var syms []fullduplex.Symbol
	for i := 0; i+320 <= len(mic); i += 320 {
		syms = append(syms, fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic[i:i+320]), 16000))
	}
	syms = append(syms, fullduplex.TextSymbol("typed"))
	boom := errors.New("boom")
	src := &sliceSource{syms: append([]fullduplex.Symbol(nil), syms...), err: boom}
	spk := &fakeSpeaker{out: silence(10 * time.Second), level: 0.001}
	interrupts := 0
	w, err := New(src, spk, func() { interrupts++ }, Config{})
	require.NoError(t, err)
	for i := range syms {
		got, err := w.Next(context.Background())
		require.NoError(t, err)
		assert.Equal(t, syms[i].Data, got.Data)
	}
	_, err = w.Next(context.Background())
	require.ErrorIs(t, err, boom)
	assert.Equal(t, 1, interrupts)
	assert.EqualValues(t, 1, w.Stats().Interrupts)

	src.err = io.EOF
	_, err = w.Next(context.Background())
	require.ErrorIs(t, err, io.EOF)
}

func TestNewAndObserveErrors(t *testing.T) {
	spk := &fakeSpeaker{}
	_, err := New(nil, nil, func() {}, Config{})
	require.Error(t, err)
	_, err = New(nil, spk, nil, Config{})
	require.Error(t, err)
	_, err = New(nil, spk, func() {}, Config{Frame: time.Second})
	require.Error(t, err)
	w, err := New(nil, spk, func() {}, Config{})
	require.NoError(t, err)
	stereo := fullduplex.AudioSymbol(make([]byte, 8), 16000)
	stereo = stereo.WithMeta(fullduplex.MetaChannels, 2)
	_, err = w.Observe(stereo)
	require.Error(t, err)
	_, err = w.Observe(fullduplex.AudioSymbol([]byte{1, 2, 3}, 16000))
	require.Error(t, err)
	hit, err := w.Observe(fullduplex.TextSymbol("x"))
	require.NoError(t, err)
	assert.False(t, hit)
}

func TestEndOfTurn(t *testing.T) {
	user := load(t, "interrupt.wav")
	mic := pad(cat(user, silence(time.Second), user), 500*time.Millisecond, len(user)*2+48000)
	var syms []fullduplex.Symbol
	for i := 0; i+320 <= len(mic); i += 320 {
		syms = append(syms, fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic[i:i+320]), 16000))
	}
	var ends []int
	n := 0
	w, err := New(&sliceSource{syms: syms, err: io.EOF}, &fakeSpeaker{}, func() {}, Config{
		EndOfTurn: 700 * time.Millisecond,
		OnEndOfTurn: func(ctx context.Context) error {
			ends = append(ends, n)
			return nil
		},
	})
	require.NoError(t, err)
	for ; ; n++ {
		if _, err := w.Next(context.Background()); err != nil {
			require.ErrorIs(t, err, io.EOF)
			break
		}
	}
	require.Len(t, ends, 2, "one end per utterance, at chunks %v", ends)
	assert.EqualValues(t, 2, w.Stats().TurnEnds)
	first := time.Duration(ends[0]) * 20 * time.Millisecond
	assert.Greater(t, first, 500*time.Millisecond+time.Duration(len(user))*time.Second/16000, "after the first utterance")

	boom := errors.New("boom")
	w, err = New(&sliceSource{syms: syms, err: io.EOF}, &fakeSpeaker{}, func() {}, Config{
		EndOfTurn:   700 * time.Millisecond,
		OnEndOfTurn: func(ctx context.Context) error { return boom },
	})
	require.NoError(t, err)
	for {
		_, err := w.Next(context.Background())
		if err != nil {
			require.ErrorIs(t, err, boom)
			break
		}
	}
}
