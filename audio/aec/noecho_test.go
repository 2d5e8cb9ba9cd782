package aec

import (
	"context"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Headphones, or no loudspeaker near the microphone: the model talks and
// the microphone hears nothing of it (digital silence, as on the rig, or a
// quiet room). After 600 ms of the model's voice in a row the canceller reports
// the echo as 30 dB down, so the barge-in gate lets a user at the model's
// own level through.
func TestNoEchoPathIsReported(t *testing.T) {
	hello := load(t, "hello.wav")
	far := append(append([]int16(nil), hello...), hello...)
	for _, c := range []struct {
		name string
		gain float64
		want bool
	}{
		{"no echo", 0, true},
		{"an echo at 0 dB", 1, false},
		{"an echo 20 dB down", 0.1, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := &room{far: far, delay: 800, gain: c.gain}
			_, can := cancelAll(t, r, Config{})
			st := can.Stats()
			t.Logf("%+v; loss %.1f dB", st, can.EchoLossDB())
			assert.Equal(t, c.want, st.NoEcho)
			if c.want {
				assert.InDelta(t, 30, can.EchoLossDB(), 0.01)
			} else {
				assert.Equal(t, can.EchoReductionDB(), can.EchoLossDB(), "an echo: the loss is what the canceller removes")
			}
		})
	}
}

// A device glitch takes back the finding: the pairing it was made on may
// have been wrong (a microphone that dropped audio pairs with reference
// played long before its echo, so an echo can pass for silence). The
// relaxed gate comes back after 600 ms more of the model's voice heard as
// silence.
func TestNoEchoIsReheardAfterAGlitch(t *testing.T) {
	hello := load(t, "hello.wav")
	var far []int16
	for range 3 {
		far = append(far, hello...)
	}
	r := &glitchyRoom{far: far, delay: 800, gain: 0, gapAt: 16000 * 3, gap: 160, report: true}
	c, err := New(r, r, Config{})
	require.NoError(t, err)
	defer c.Close()
	var loss []float64 // per 20 ms
	for {
		_, err := c.Next(context.Background())
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		loss = append(loss, c.EchoLossDB())
	}
	at := 16000 * 3 / 320
	t.Logf("loss before the glitch %.0f dB, just after %.0f dB, at the end %.0f dB; %+v", loss[at-1], loss[at+1], loss[len(loss)-1], c.Stats())
	assert.InDelta(t, 30, loss[at-1], 0.01, "no echo heard before the glitch")
	assert.Zero(t, loss[at+1], "taken back at the glitch")
	assert.InDelta(t, 30, loss[len(loss)-1], 0.01, "heard again after it")
}
