package pcm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var ratePairs = []struct{ in, out int }{
	{48000, 16000},
	{44100, 16000},
	{24000, 48000},
	{16000, 24000},
	{16000, 48000},
	{24000, 16000},
	{44100, 48000},
	{48000, 44100},
	{8000, 16000},
	{16000, 8000},
	{22050, 16000},
	{96000, 16000},
	{16000, 16000},
	{16001, 48000}, // large L: interpolated phases
	{48000, 16001},
}

func resampleWhole(t testing.TB, in, out int, src []int16) []int16 {
	t.Helper()
	r, err := NewResampler(in, out)
	require.NoError(t, err)
	dst := r.Process(nil, src)
	return r.Flush(dst)
}

func TestNewResamplerErrors(t *testing.T) {
	for _, tc := range []struct{ in, out int }{
		{0, 16000}, {16000, 0}, {-1, 16000}, {16000, MaxRate + 1}, {999, 16000},
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.in, tc.out), func(t *testing.T) {
			r, err := NewResampler(tc.in, tc.out)
			require.ErrorIs(t, err, ErrRate)
			assert.Nil(t, r)
		})
	}
}

// Splitting the input into chunks of any size must give exactly the output
// of processing it whole: no clicks, no drift at chunk edges.
func TestResamplerChunkedEqualsWhole(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, rp := range ratePairs {
		t.Run(fmt.Sprintf("%d-%d", rp.in, rp.out), func(t *testing.T) {
			src := AppendTone(nil, 440, 0.5, rp.in, rp.in/2)
			src = AppendNoise(src, 0.1, rp.in/4, 7)
			want := resampleWhole(t, rp.in, rp.out, src)
			wantLen := int(math.Ceil(float64(len(src)) * float64(rp.out) / float64(rp.in)))
			require.Len(t, want, wantLen)

			for _, chunking := range []string{"1", "7", "20ms", "random"} {
				r, err := NewResampler(rp.in, rp.out)
				require.NoError(t, err)
				var got []int16
				for rest := src; len(rest) > 0; {
					n := 0
					switch chunking {
					case "1":
						n = 1
					case "7":
						n = 7
					case "20ms":
						n = rp.in / 50
					case "random":
						n = rng.IntN(3000)
					}
					n = min(n, len(rest))
					got = r.Process(got, rest[:n])
					rest = rest[n:]
				}
				got = r.Flush(got)
				require.Equal(t, want, got, "chunking %s", chunking)
			}
		})
	}
}

// Mixing float32 and int16 calls and the Float32 flush agree with int16.
func TestResamplerFloat32(t *testing.T) {
	src := AppendTone(nil, 1000, 0.5, 48000, 4800)
	want := resampleWhole(t, 48000, 16000, src)
	r, err := NewResampler(48000, 16000)
	require.NoError(t, err)
	f := Int16ToFloat32(nil, src)
	var got []float32
	got = r.ProcessFloat32(got, f[:1000])
	got = r.ProcessFloat32(got, f[1000:])
	got = r.FlushFloat32(got)
	require.Equal(t, want, Float32ToInt16(nil, got))
}

func TestResamplerResetAndFlushRestart(t *testing.T) {
	src := AppendTone(nil, 1000, 0.5, 24000, 2400)
	want := resampleWhole(t, 24000, 48000, src)

	r, err := NewResampler(24000, 48000)
	require.NoError(t, err)
	// Garbage, then Reset: it must leave no trace.
	_ = r.Process(nil, AppendNoise(nil, 0.5, 1234, 3))
	r.Reset()
	got := r.Flush(r.Process(nil, src))
	require.Equal(t, want, got)
	// After Flush the Resampler starts a new stream.
	got = r.Flush(r.Process(nil, src))
	require.Equal(t, want, got)
	// Flush with nothing buffered emits nothing; empty chunks are harmless.
	require.Empty(t, r.Flush(nil))
	require.Empty(t, r.Process(nil, nil))
	require.Empty(t, r.ProcessFloat32(nil, nil))
	require.Empty(t, r.FlushFloat32(nil))
	assert.Equal(t, 32, r.FilterHalfWidth())
}

func TestResamplerPassthrough(t *testing.T) {
	r, err := NewResampler(16000, 16000)
	require.NoError(t, err)
	src := []int16{1, 2, 3}
	require.Equal(t, src, r.Process(nil, src))
	require.Empty(t, r.Flush(nil))
	assert.Equal(t, 0, r.FilterHalfWidth())
	assert.Equal(t, 16000, r.InRate())
	assert.Equal(t, 16000, r.OutRate())
}

// toneSNR resamples a 1 kHz tone at -6 dBFS peak and measures SINAD of the
// steady part of the output.
func toneSNR(t testing.TB, in, out int, freq float64) float64 {
	t.Helper()
	src := AppendTone(nil, freq, 0.5, in, in) // 1 s
	got := resampleWhole(t, in, out, src)
	skip := out / 10
	snr, err := ToneSNR(got[skip:len(got)-skip], freq, out)
	require.NoError(t, err)
	return snr
}

func TestResamplerToneSNR(t *testing.T) {
	for _, tc := range []struct {
		in, out int
		min     float64
	}{
		{48000, 16000, 60},
		{24000, 48000, 60},
		{44100, 16000, 60},
		{16000, 24000, 60},
		{16000, 48000, 60},
		{48000, 44100, 60},
		{16001, 48000, 60},
		{48000, 16001, 60},
	} {
		t.Run(fmt.Sprintf("%d-%d", tc.in, tc.out), func(t *testing.T) {
			snr := toneSNR(t, tc.in, tc.out, 1000)
			t.Logf("1 kHz tone, -6 dBFS peak, %d -> %d Hz: SNR %.1f dB", tc.in, tc.out, snr)
			assert.Greater(t, snr, tc.min)
		})
	}
}

// aliasRejection feeds a tone above the output Nyquist frequency and returns
// how far below the input level what comes out is, in dB.
func aliasRejection(t testing.TB, in, out int, freq float64) float64 {
	t.Helper()
	// Measured in float32 so the result is not floored by int16 rounding.
	src := Int16ToFloat32(nil, AppendTone(nil, freq, 0.5, in, in))
	r, err := NewResampler(in, out)
	require.NoError(t, err)
	got := r.FlushFloat32(r.ProcessFloat32(nil, src))
	skip := out / 10
	return 20 * math.Log10(rmsFloat(src)/rmsFloat(got[skip:len(got)-skip]))
}

func rmsFloat(x []float32) float64 {
	var sum float64
	for _, v := range x {
		sum += float64(v) * float64(v)
	}
	return math.Sqrt(sum / float64(len(x)))
}

func TestResamplerAliasRejection(t *testing.T) {
	for _, tc := range []struct {
		in, out int
		freq    float64
		min     float64
	}{
		{48000, 16000, 9000, 70},  // would alias to 7 kHz
		{48000, 16000, 12000, 70}, // would alias to 4 kHz
		{48000, 16000, 15000, 70}, // would alias to 1 kHz
		{44100, 16000, 9000, 70},
		{44100, 16000, 20000, 70},
		{24000, 16000, 10000, 70},
	} {
		t.Run(fmt.Sprintf("%d-%d@%g", tc.in, tc.out, tc.freq), func(t *testing.T) {
			rej := aliasRejection(t, tc.in, tc.out, tc.freq)
			t.Logf("%g Hz tone, %d -> %d Hz: alias rejection %.1f dB", tc.freq, tc.in, tc.out, rej)
			assert.Greater(t, rej, tc.min)
		})
	}
}

// Upsampling must not create images: a 1 kHz tone at 24 kHz -> 48 kHz must
// have no energy at 23 kHz (the image of 1 kHz around 12 kHz).
func TestResamplerImageRejection(t *testing.T) {
	src := AppendTone(nil, 11000, 0.5, 24000, 24000)
	got := resampleWhole(t, 24000, 48000, src)
	skip := 4800
	steady := got[skip : len(got)-skip]
	// The 11 kHz tone passes (it is below 12 kHz, in the transition band it
	// is attenuated); the image at 13 kHz must be far below the input.
	snr, err := ToneSNR(steady, 11000, 48000)
	require.NoError(t, err)
	t.Logf("11 kHz tone 24k -> 48k: image and residual %.1f dB below the tone", snr)
	assert.Greater(t, snr, 70.0)
}

func TestResamplerPassbandGain(t *testing.T) {
	for _, f := range []float64{100, 1000, 3000, 6000} {
		t.Run(fmt.Sprint(f), func(t *testing.T) {
			src := AppendTone(nil, f, 0.5, 48000, 48000)
			got := resampleWhole(t, 48000, 16000, src)
			gain := AmplitudeToDB(RMS(got[1600:len(got)-1600])) - AmplitudeToDB(RMS(src))
			assert.InDelta(t, 0, gain, 0.1, "gain at %g Hz", f)
		})
	}
}

func TestResamplerAllocs(t *testing.T) {
	for _, rp := range []struct{ in, out int }{{48000, 16000}, {24000, 48000}, {44100, 16000}} {
		r, err := NewResampler(rp.in, rp.out)
		require.NoError(t, err)
		chunk := AppendTone(nil, 1000, 0.5, rp.in, rp.in/50)
		dst := make([]int16, 0, 4096)
		for range 3 { // warm up
			dst = r.Process(dst[:0], chunk)
		}
		allocs := testing.AllocsPerRun(100, func() {
			dst = r.Process(dst[:0], chunk)
		})
		assert.Zero(t, allocs, "%d -> %d", rp.in, rp.out)
	}
}
