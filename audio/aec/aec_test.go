package aec

import (
	"context"
	"io"
	"os"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// The tests on real devices (the PulseAudio rig) are in package audio, so
// that all tests that share the rig run one after another.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func load(t testing.TB, name string) []int16 {
	t.Helper()
	f, err := os.Open("../../testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	return w.Samples
}

// room simulates a loudspeaker and a microphone at 16 kHz: each Next
// "plays" 20 ms of far into the reference (as the speaker's callback would)
// and returns 20 ms of microphone audio: the far signal delayed and
// attenuated (the echo) plus near (the user).
type room struct {
	far, near []int16
	delay     int
	gain      float64
	pos       int
	refBuf    []int16 // played, not yet read
	mic       []int16 // everything the mic heard, for comparison
}

func (r *room) ReadReference(dst []int16) int {
	n := copy(dst, r.refBuf)
	r.refBuf = r.refBuf[:copy(r.refBuf, r.refBuf[n:])]
	return n
}
func (r *room) ResetReference() { r.refBuf = r.refBuf[:0] }
func (r *room) DeviceRate() int { return 16000 }

func (r *room) Next(ctx context.Context) (fullduplex.Symbol, error) {
	if r.pos+320 > len(r.far) {
		return fullduplex.Symbol{}, io.EOF
	}
	r.refBuf = append(r.refBuf, r.far[r.pos:r.pos+320]...)
	mic := make([]int16, 320)
	for i := range mic {
		j := r.pos + i - r.delay
		v := 0.0
		if j >= 0 {
			v = float64(r.far[j]) * r.gain
		}
		if r.pos+i < len(r.near) {
			v += float64(r.near[r.pos+i])
		}
		mic[i] = pcm.FloatToInt16(float32(v / 32768))
	}
	r.mic = append(r.mic, mic...)
	r.pos += 320
	return fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic), 16000), nil
}

func cancelAll(t *testing.T, r *room, cfg Config) ([]int16, *Canceller) {
	t.Helper()
	c, err := New(r, r, cfg)
	require.NoError(t, err)
	t.Cleanup(func() { c.Close() })
	var out []int16
	for {
		s, err := c.Next(context.Background())
		if err == io.EOF {
			return out, c
		}
		require.NoError(t, err)
		out, err = pcm.DecodeInt16(out, s.Data)
		require.NoError(t, err)
	}
}

func TestCancelsEcho(t *testing.T) {
	hello := load(t, "hello.wav")
	far := append(append(append([]int16(nil), hello...), hello...), hello...) // 8.7 s of the model
	cases := []struct {
		name    string
		cfg     Config
		minERLE float64
	}{
		{"linear filter only", Config{NoSuppression: true}, 15},
		{"with residual suppression", Config{}, 25},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := &room{far: far, delay: 800, gain: 0.5} // 50 ms, -6 dB
			out, can := cancelAll(t, r, c.cfg)
			require.Len(t, out, len(r.mic))
			// After convergence: the last third.
			from := len(out) * 2 / 3
			erle := pcm.DBFS(r.mic[from:]) - pcm.DBFS(out[from:])
			t.Logf("echo %.1f dBFS → %.1f dBFS: ERLE %.1f dB; %+v", pcm.DBFS(r.mic[from:]), pcm.DBFS(out[from:]), erle, can.Stats())
			assert.Greater(t, erle, c.minERLE)
			assert.Zero(t, can.Stats().StarvedFrames)
		})
	}
}

func TestKeepsTheUserDuringEcho(t *testing.T) {
	hello := load(t, "hello.wav")
	user := load(t, "interrupt.wav")
	far := append(append(append([]int16(nil), hello...), hello...), hello...)
	near := make([]int16, len(far))
	at := len(far) - len(user) - 8000
	copy(near[at:], user)
	r := &room{far: far, near: near, delay: 800, gain: 0.5}
	out, _ := cancelAll(t, r, Config{})
	userLevel := pcm.DBFS(user)
	got := pcm.DBFS(out[at : at+len(user)])
	t.Logf("user %.1f dBFS, after cancellation during double talk %.1f dBFS", userLevel, got)
	assert.Greater(t, got, userLevel-12, "the user's voice survives")
}

func TestErrors(t *testing.T) {
	r := &room{}
	_, err := New(nil, r, Config{})
	require.Error(t, err)
	_, err = New(r, nil, Config{})
	require.Error(t, err)
	_, err = Filter(Config{})(r, nopSink{})
	require.Error(t, err, "the output gives no reference")
	c, err := New(r, r, Config{})
	require.NoError(t, err)
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
}

type nopSink struct{}

func (nopSink) Write(context.Context, fullduplex.StreamItem) error { return nil }
