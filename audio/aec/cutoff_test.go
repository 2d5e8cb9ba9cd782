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

// glitchAt is a room whose Reference reports a device glitch at symbol
// at (the canceller holds its filter and re-measures the delay), as the
// loaded rig's speaker does.
type glitchAt struct {
	*room
	at, n    int
	glitches int64
}

func (g *glitchAt) Next(ctx context.Context) (fullduplex.Symbol, error) {
	g.n++
	if g.n == g.at {
		g.glitches++
	}
	return g.room.Next(ctx)
}
func (g *glitchAt) ReferenceGlitches() int64 { return g.glitches }

// Barge-in cuts the model off mid-word while the user talks, with no
// noise floor (the rig's digital silence between the user's words): the
// user's words pass the canceller when the far end stops, with and without
// a device glitch holding the filter at that moment. No stretch of the
// user's speech comes out as silence (a hole the barge-in watcher would
// read as the end of their turn).
func TestUserPassesWhenTheModelIsCutOff(t *testing.T) {
	hello := load(t, "hello.wav")
	user := append([]int16(nil), load(t, "interrupt.wav")...)
	for i, v := range user { // digital silence between the words
		if v > -8 && v < 8 {
			user[i] = 0
		}
	}
	far := append(append(append([]int16(nil), hello...), hello...), hello...)
	far = pcm.AppendSilence(far[:16000*3+3200], 16000*3) // cut off at 3.2 s
	near := append(pcm.AppendSilence(nil, 16000*3), user...)
	near = pcm.AppendSilence(near, 16000)
	for _, glitch := range []bool{false, true} {
		r := &glitchAt{room: &room{far: far, near: near, delay: 640, gain: 1}}
		if glitch {
			r.at = 160 // at 3.2 s, as the model is cut off
		}
		c, err := New(r, r, Config{})
		require.NoError(t, err)
		var out []int16
		for {
			s, err := c.Next(context.Background())
			if err == io.EOF {
				break
			}
			require.NoError(t, err)
			out, err = pcm.DecodeInt16(out, s.Data)
			require.NoError(t, err)
		}
		require.NoError(t, c.Close())
		// Per 20 ms frame of the user's words after the cut-off (3.3 s on:
		// past the echo's tail), the canceller's output against the
		// user's level.
		const f = 320
		lost := 0
		words := 0
		for i := 16000*3 + 4800; i+f <= len(out) && i+f <= len(near); i += f {
			if pcm.DBFS(near[i:i+f]) < -35 {
				continue
			}
			words++
			if pcm.DBFS(out[i:i+f]) < pcm.DBFS(near[i:i+f])-12 {
				lost++
			}
		}
		t.Logf("glitch %v: %d of %d frames of the user's words more than 12 dB down; %+v", glitch, lost, words, c.Stats())
		require.Positive(t, words)
		assert.LessOrEqual(t, lost, words/10, "the user's words pass the canceller (glitch %v)", glitch)
	}
}
