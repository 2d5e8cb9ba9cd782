package pcm

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecodeEncodeInt16(t *testing.T) {
	for _, tc := range []struct {
		name    string
		bytes   []byte
		samples []int16
	}{
		{"empty", []byte{}, []int16{}},
		{"one", []byte{0x01, 0x00}, []int16{1}},
		{"extremes", []byte{0xff, 0x7f, 0x00, 0x80, 0xff, 0xff}, []int16{32767, -32768, -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeInt16([]int16{42}, tc.bytes)
			require.NoError(t, err)
			assert.Equal(t, append([]int16{42}, tc.samples...), got)
			assert.Equal(t, append([]byte{9}, tc.bytes...), EncodeInt16([]byte{9}, tc.samples))
		})
	}
}

// The copy this machine converts with and the portable loop agree, so
// the loop that big-endian machines run is tested here too.
func TestInt16ConversionsMatchThePortableLoop(t *testing.T) {
	samples := AppendNoise(nil, 0.7, 1001, 3)
	raw := EncodeInt16(nil, samples)
	loopRaw := make([]byte, len(raw))
	encodeInt16Loop(loopRaw, samples)
	assert.Equal(t, loopRaw, raw)
	got, err := DecodeInt16(nil, raw)
	require.NoError(t, err)
	loop := make([]int16, len(samples))
	decodeInt16Loop(loop, raw)
	assert.Equal(t, loop, got)
	assert.Equal(t, samples, got)
}

func TestOddLength(t *testing.T) {
	dst := []int16{7}
	got, err := DecodeInt16(dst, []byte{1, 2, 3})
	require.ErrorIs(t, err, ErrOddLength)
	assert.Equal(t, dst, got)
	f, err := DecodeFloat32(nil, []byte{1})
	require.ErrorIs(t, err, ErrOddLength)
	assert.Empty(t, f)
}

func TestFloatConversions(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    float32
		i    int16
	}{
		{"zero", 0, 0},
		{"half", 0.5, 16384},
		{"minus half", -0.5, -16384},
		{"one clips", 1, 32767},
		{"over clips", 2, 32767},
		{"minus one", -1, -32768},
		{"under clips", -3, -32768},
		{"round up", 1.6 / 32768, 2},
		{"round down", 1.4 / 32768, 1},
		{"round negative", -1.6 / 32768, -2},
		{"NaN", float32(math.NaN()), 0},
		{"+Inf", float32(math.Inf(1)), 32767},
		{"-Inf", float32(math.Inf(-1)), -32768},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.i, FloatToInt16(tc.f))
			assert.Equal(t, []int16{tc.i}, Float32ToInt16(nil, []float32{tc.f}))
			assert.Equal(t, EncodeInt16(nil, []int16{tc.i}), EncodeFloat32(nil, []float32{tc.f}))
		})
	}
}

// Every int16 survives int16 -> float32 -> int16 and bytes -> float32 -> bytes.
func TestFloatRoundTrip(t *testing.T) {
	all := make([]int16, 0, 65536)
	for v := math.MinInt16; v <= math.MaxInt16; v++ {
		all = append(all, int16(v))
	}
	f := Int16ToFloat32(nil, all)
	assert.Equal(t, all, Float32ToInt16(nil, f))
	b := EncodeInt16(nil, all)
	f2, err := DecodeFloat32(nil, b)
	require.NoError(t, err)
	assert.Equal(t, f, f2)
	assert.Equal(t, b, EncodeFloat32(nil, f2))
}

func TestConversionsReuseBuffer(t *testing.T) {
	b := EncodeInt16(nil, AppendTone(nil, 1000, 0.5, 16000, 320))
	s := make([]int16, 0, 320)
	f := make([]float32, 0, 320)
	out := make([]byte, 0, 640)
	allocs := testing.AllocsPerRun(50, func() {
		s, _ = DecodeInt16(s[:0], b)
		f, _ = DecodeFloat32(f[:0], b)
		out = EncodeInt16(out[:0], s)
		out = EncodeFloat32(out[:0], f)
		f = Int16ToFloat32(f[:0], s)
		s = Float32ToInt16(s[:0], f)
	})
	assert.Zero(t, allocs)
}

func TestDownmix(t *testing.T) {
	for _, tc := range []struct {
		name     string
		src      []int16
		channels int
		want     []int16
		err      error
	}{
		{"mono copies", []int16{1, 2, 3}, 1, []int16{1, 2, 3}, nil},
		{"stereo mean", []int16{2, 4, -3, -4, 32767, 32767, -32768, -32768}, 2, []int16{3, -4, 32767, -32768}, nil},
		{"stereo rounds", []int16{1, 2, -1, -2}, 2, []int16{2, -2}, nil},
		{"three channels", []int16{3, 6, 9, -1, -1, -1}, 3, []int16{6, -1}, nil},
		{"empty", nil, 2, nil, nil},
		{"partial frame", []int16{1, 2, 3}, 2, nil, ErrChannels},
		{"zero channels", []int16{1}, 0, nil, ErrChannels},
		{"negative channels", []int16{1}, -2, nil, ErrChannels},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Downmix(nil, tc.src, tc.channels)
			gotF, errF := DownmixFloat32(nil, Int16ToFloat32(nil, tc.src), tc.channels)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.ErrorIs(t, errF, tc.err)
				assert.Empty(t, got)
				return
			}
			require.NoError(t, err)
			require.NoError(t, errF)
			assert.Equal(t, tc.want, got)
			for i, w := range tc.want {
				assert.InDelta(t, float64(w)/32768, gotF[i], 1.0/32768)
			}
		})
	}
}
