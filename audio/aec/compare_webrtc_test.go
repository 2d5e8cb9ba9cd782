//go:build webrtcaec

package aec

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/require"
)

// TestCompareWithWebRTC measures speexdsp (this package's Canceller, as the
// bridge uses it) and WebRTC's AudioProcessing echo canceller (Debian's
// libwebrtc-audio-processing 0.3, suppression levels low/moderate/high) on
// the same microphone signal: the model's voice through a room (50 ms
// delay, then a 150 ms exponentially decaying tail, the echo 6 dB below the
// reference), and from 4.5 s the user talking over it at the echo's level.
// ERLE is over the echo alone (2 to 4.5 s, after convergence); retention
// is the user's voice in the output against the user alone, over the
// user's voiced 20 ms frames (0 dB: untouched; negative: suppressed with the
// echo).
//
//	go test -tags webrtcaec -run TestCompareWithWebRTC -v ./audio/aec
func TestCompareWithWebRTC(t *testing.T) {
	hello := load(t, "hello.wav")
	user := load(t, "interrupt.wav")
	var far []int16
	for range 3 {
		far = append(far, hello...)
	}
	// The room: h[0] at 50 ms, 0.5; a decaying noise tail over 150 ms.
	const delay = 800
	rng := rand.New(rand.NewPCG(7, 9))
	h := make([]float64, 2400)
	h[0] = 0.5
	for i := 1; i < len(h); i++ {
		h[i] = 0.08 * math.Exp(-float64(i)/600) * (2*rng.Float64() - 1)
	}
	echo := make([]float64, len(far))
	for i := range far {
		for k, g := range h {
			if j := i - delay - k; j >= 0 && g != 0 {
				echo[i] += g * float64(far[j])
			}
		}
	}
	echo16 := make([]int16, len(far))
	for i, v := range echo {
		echo16[i] = pcm.FloatToInt16(float32(v / 32768))
	}
	from := 16000 * 9 / 2
	g := math.Pow(10, (pcm.DBFS(echo16[16000:from])-pcm.DBFS(user))/20)
	voice := make([]int16, len(far))
	for i, v := range user {
		if from+i < len(voice) {
			voice[from+i] = pcm.FloatToInt16(float32(g * float64(v) / 32768))
		}
	}
	near := make([]int16, len(far))
	for i := range near {
		near[i] = pcm.FloatToInt16(float32((echo[i] + float64(voice[i])) / 32768))
	}

	measure := func(name string, out []int16) {
		n := min(len(out), len(near))
		erle := pcm.DBFS(near[2*16000:from]) - pcm.DBFS(out[2*16000:from])
		var o, u []int16
		for i := from; i+320 <= min(n, from+len(user)); i += 320 {
			if pcm.DBFS(voice[i:i+320]) > pcm.DBFS(echo16[16000:from])-10 {
				o, u = append(o, out[i:i+320]...), append(u, voice[i:i+320]...)
			}
		}
		t.Logf("%-28s ERLE %5.1f dB   user retained %+5.1f dB", name, erle, pcm.DBFS(o)-pcm.DBFS(u))
		require.Greater(t, erle, 6.0, name)
	}

	// speexdsp, through the Canceller (the room plays far, the mic hears near).
	for _, c := range []struct {
		name string
		cfg  Config
	}{{"speexdsp (default)", Config{}}, {"speexdsp, linear only", Config{NoSuppression: true}}} {
		r := &room{far: far, near: near, gain: 0}
		out, _ := cancelAll(t, r, c.cfg)
		measure(c.name, out)
	}
	// WebRTC, 10 ms frames, the far end as the speaker played it.
	for level, name := range []string{"webrtc (suppression low)", "webrtc (moderate)", "webrtc (high)"} {
		w, err := newWebRTCAEC(16000, level)
		require.NoError(t, err)
		out := make([]int16, 0, len(near))
		buf := make([]int16, 160)
		for i := 0; i+160 <= len(near); i += 160 {
			require.NoError(t, w.process(far[i:i+160], near[i:i+160], buf, 50))
			out = append(out, buf...)
		}
		w.close()
		measure(name, out)
	}
}
