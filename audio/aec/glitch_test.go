package aec

import (
	"context"
	"io"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// glitchyRoom is a room whose loudspeaker glitches once, as measured on a
// loaded machine: at gapAt it plays gap samples of silence that never reach
// the reference (an output underflow), then the device refills its buffer
// at once (burst samples of reference arrive ahead of their playing). From
// then on the echo trails the reference by gap more samples. Each Next is
// 20 ms of real time.
// cancel runs a canceller over r to the end of its far speech and returns
// what it output and its final Stats; r.reduction gets the claimed
// reduction after each chunk.
func (r *glitchyRoom) cancel(t *testing.T) ([]int16, Stats) {
	t.Helper()
	c, err := New(r, r, Config{})
	require.NoError(t, err)
	defer c.Close()
	var out []int16
	for {
		s, err := c.Next(context.Background())
		if err == io.EOF {
			return out, c.Stats()
		}
		require.NoError(t, err)
		out, err = pcm.DecodeInt16(out, s.Data)
		require.NoError(t, err)
		r.reduction = append(r.reduction, c.EchoReductionDB())
	}
}

type glitchyRoom struct {
	far       []int16
	delay     int
	gain      float64
	gapAt     int  // real-time sample where the glitch starts
	gap       int  // samples of silence played
	burst     int  // samples of reference written ahead after the gap
	tapped    int  // far samples written to the reference
	report    bool // count the glitch (GlitchCounter)
	t, fpos   int
	gapLeft   int
	glitches  int64
	played    []int16 // what the device played, by real time
	refBuf    []int16
	mic       []int16
	reduction []float64 // EchoReductionDB after each Next, per 20 ms
}

func (r *glitchyRoom) ReadReference(dst []int16) int {
	n := copy(dst, r.refBuf)
	r.refBuf = r.refBuf[:copy(r.refBuf, r.refBuf[n:])]
	return n
}
func (r *glitchyRoom) ResetReference()          { r.refBuf = r.refBuf[:0] }
func (r *glitchyRoom) DeviceRate() int          { return 16000 }
func (r *glitchyRoom) ReferenceGlitches() int64 { return r.glitches }

func (r *glitchyRoom) Next(ctx context.Context) (fullduplex.Symbol, error) {
	mic := make([]int16, 320)
	for i := range mic {
		if r.t == r.gapAt {
			r.gapLeft = r.gap
			if r.report {
				r.glitches++
			}
		}
		if r.gapLeft > 0 {
			r.played = append(r.played, 0)
			r.gapLeft--
		} else {
			if r.fpos >= len(r.far) {
				return fullduplex.Symbol{}, io.EOF
			}
			r.played = append(r.played, r.far[r.fpos])
			r.fpos++
			lead := 0
			if r.t > r.gapAt && r.gap > 0 {
				lead = r.burst
			}
			for ; r.tapped < min(len(r.far), r.fpos+lead); r.tapped++ {
				r.refBuf = append(r.refBuf, r.far[r.tapped])
			}
		}
		if j := r.t - r.delay; j >= 0 {
			mic[i] = pcm.FloatToInt16(float32(float64(r.played[j]) * r.gain / 32768))
		}
		r.t++
	}
	r.mic = append(r.mic, mic...)
	return fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic), 16000), nil
}

// After a speaker glitch shifts the echo by 300 ms (beyond the 200 ms
// filter) and the reference arrives in a burst, the canceller re-measures the delay and cancels again; while it
// does, it claims no reduction, so the barge-in gate does not let the
// misaligned echo through. Pairing by count with padding and dropping by
// arrival (the old canceller) lost the echo: it measured under 10 dB after
// such a glitch.
func TestFollowsTheEchoAfterASpeakerGlitch(t *testing.T) {
	hello := load(t, "hello.wav")
	var far []int16
	for range 4 {
		far = append(far, hello...)
	}
	cases := []struct {
		name   string
		report bool
	}{
		{"the speaker reports the glitch", true},
		{"found from the signals alone", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := &glitchyRoom{far: far, delay: 800, gain: 0.5, gapAt: 16000 * 4, gap: 4800, burst: 1600, report: tc.report}
			out, stats := r.cancel(t)
			n := min(len(out), len(r.mic))
			before := erle(r.mic[16000*2:16000*4], out[16000*2:16000*4])
			after := erle(r.mic[n-16000*3:n], out[n-16000*3:n])
			// The claims right after the glitch's echo arrives (50 ms
			// after the gap starts, as the room's delay is 50 ms) until
			// the gap's end.
			at := (16000*4 + 800) / 320
			claimedDuring := r.reduction[at+2]
			t.Logf("ERLE before the glitch %.1f dB, in the last 3 s %.1f dB; claimed 40 ms into the glitch %.1f dB; %+v",
				before, after, claimedDuring, stats)
			assert.Greater(t, before, 20.0)
			assert.Greater(t, after, 20.0, "cancels again after the glitch")
			assert.GreaterOrEqual(t, stats.Realignments, int64(1))
			if tc.report {
				assert.Zero(t, claimedDuring, "no reduction claimed while the echo is misaligned")
				assert.EqualValues(t, 1, stats.Glitches)
			}
		})
	}
}

func erle(mic, out []int16) float64 { return pcm.DBFS(mic) - pcm.DBFS(out) }
