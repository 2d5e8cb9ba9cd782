package audio

import (
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// withAcousticEcho routes the "speaker" sink's monitor into the "mic" sink
// for the rest of the test (PulseAudio's module-loopback, ~20 ms, its rate
// adjustment off so the delay is fixed, as in a room), so the microphone
// hears the model's own voice at full level, like a laptop with its
// speakers up.
func withAcousticEcho(t *testing.T) {
	t.Helper()
	out, err := exec.Command("pactl", "load-module", "module-loopback",
		"source=speaker.monitor", "sink=mic", "latency_msec=20", "adjust_time=0", "source_dont_move=true", "sink_dont_move=true").Output()
	require.NoError(t, err)
	idx := strings.TrimSpace(string(out))
	t.Cleanup(func() { _ = exec.Command("pactl", "unload-module", idx).Run() })
	time.Sleep(200 * time.Millisecond)
}

// The model's voice leaking from the speaker into the microphone must not
// interrupt it: with the echo gate the answer plays whole; without it the
// model interrupts itself.
func TestBridgeDevicesEchoGate(t *testing.T) {
	requireRig(t)
	cases := []struct {
		name       string
		cfg        bargein.Config
		interrupts bool
	}{
		{"gate on (default)", bargein.Config{}, false},
		{"gate off", bargein.Config{DisableEchoGate: true}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			tr := newTurns()
			b, err := NewBridge(echoSession(t), Config{Sinks: []fullduplex.Sink{tr}, BargeIn: c.cfg})
			require.NoError(t, err)
			defer b.Close()
			stop := runInBackground(ctx, b)
			time.Sleep(300 * time.Millisecond)
			require.NoError(t, exec.CommandContext(ctx, "paplay", "--device=mic", "../testdata/hello.wav").Run())
			// The echo starts only now, so the user's own turn is clean.
			withAcousticEcho(t)
			require.NoError(t, tr.waitEnds(ctx, 1), "the echo model answered")
			require.NoError(t, b.Speaker().Drain(ctx))
			require.ErrorIs(t, stop(), context.Canceled)

			st := b.Stats()
			t.Logf("%+v", st)
			if c.interrupts {
				assert.GreaterOrEqual(t, st.BargeIn.Interrupts, int64(1), "the echo interrupted the model")
				assert.Greater(t, st.Speaker.FlushedFrames, int64(0))
			} else {
				assert.Zero(t, st.BargeIn.Interrupts, "the echo did not interrupt the model")
				assert.Greater(t, st.BargeIn.GatedFrames, int64(10), "the gate held back the echo")
				assert.Greater(t, st.Speaker.PlayedDuration, 2500*time.Millisecond, "the answer played whole")
			}
		})
	}
}
