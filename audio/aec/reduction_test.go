package aec

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// What passed the canceller resembles the reference (echo), or not (the
// user's voice).
func echo() float64 { return 0.9 }
func user() float64 { return 0.1 }

// converged returns a canceller whose reduction estimate has settled at
// 25 dB over an echo path of -2 dB (the microphone hears the model 2 dB
// below the reference).
func converged(t *testing.T) *Canceller {
	c := &Canceller{cfg: Config{Frame: 20 * time.Millisecond}, rate: 16000}
	for range 100 { // 2 s of the model alone
		frame(c, -20, -22, -47, echo)
	}
	require.InDelta(t, 25, c.EchoReductionDB(), 0.5)
	require.InDelta(t, -2, c.Stats().EchoPathGainDB, 0.5)
	return c
}

// frame tracks one frame's levels, as process does.
func frame(c *Canceller, refDB, inDB, outDB float64, echoCorr func() float64) {
	c.trackReduction(refDB, inDB, outDB, echoCorr)
	c.micN += int64(c.samples(c.cfg.Frame))
}

// After double talk the filter may have diverged: the echo passes it at
// its usual level. That is not the user: the estimate falls at once, so
// the gate does not let the model's echo interrupt it.
func TestReductionFallsOnLeakingEcho(t *testing.T) {
	c := converged(t)
	for range 25 { // 500 ms: the echo at its usual level, 2 dB removed
		frame(c, -20, -21, -23, echo)
	}
	assert.Less(t, c.EchoReductionDB(), 6.0, "the estimate follows the leaking echo")
	assert.Positive(t, c.Stats().EchoLeaks, "frames counted as leaking echo")
}

// The user talking over the model: their voice passes the canceller,
// which is not a failure of it (it does not resemble the reference): the
// estimate holds, so the gate stays open for them.
func TestReductionHoldsForTheUser(t *testing.T) {
	c := converged(t)
	for range 25 { // 500 ms: the user 6 dB over the echo
		frame(c, -20, -16, -17, user)
	}
	assert.Greater(t, c.EchoReductionDB(), 20.0, "the estimate holds while the user talks")
	assert.Zero(t, c.Stats().EchoLeaks)
	assert.InDelta(t, -2, c.Stats().EchoPathGainDB, 0.5, "the user's voice is not learned as echo")
}

// A few frames of the user's voice can resemble the model's (a vowel in
// the same voice) and cut the estimate as leaking echo would. When the user
// pauses and the filter removes the echo as well as before, the cut is
// undone at once, and the rest of their turn does not cut it again.
func TestReductionRecoversWhenTheFilterStillCancels(t *testing.T) {
	c := converged(t)
	for range 4 { // 80 ms of a vowel that resembles the model's
		frame(c, -20, -16, -17, echo)
	}
	require.Less(t, c.EchoReductionDB(), 15.0, "the estimate falls as for leaking echo")
	frame(c, -20, -22, -46, echo) // a pause: the echo alone, removed
	assert.Greater(t, c.EchoReductionDB(), 20.0, "the cut is undone")
	for range 12 { // 480 ms more of the user, now and then like the model
		frame(c, -20, -16, -17, user)
		frame(c, -20, -16, -17, echo)
	}
	assert.Greater(t, c.EchoReductionDB(), 20.0, "the estimate holds for the rest of the user's turn")
}

// Once the user has stopped, echo that leaks is caught again (after the
// filter's trust in them, leakTrustFor, runs out).
func TestReductionFallsOnEchoLeakingAfterTheUser(t *testing.T) {
	c := converged(t)
	for range 4 {
		frame(c, -20, -16, -17, echo)
	}
	frame(c, -20, -22, -46, echo)
	frame(c, -20, -16, -17, user)
	require.Greater(t, c.EchoReductionDB(), 20.0)
	for range int(leakTrustFor/(20*time.Millisecond)) + 10 { // the echo at its usual level, 2 dB removed
		frame(c, -20, -21, -23, echo)
	}
	assert.Less(t, c.EchoReductionDB(), 6.0, "the estimate follows the leaking echo")
}
