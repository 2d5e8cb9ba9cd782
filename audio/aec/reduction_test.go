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
	c := &Canceller{cfg: Config{Frame: 20 * time.Millisecond}}
	for range 100 { // 2 s of the model alone
		c.trackReduction(-20, -22, -47, echo)
	}
	require.InDelta(t, 25, c.EchoReductionDB(), 0.5)
	require.InDelta(t, -2, c.Stats().EchoPathGainDB, 0.5)
	return c
}

// After double talk the filter may have diverged: the echo passes it at
// its usual level. That is not the user: the estimate falls at once, so
// the gate does not let the model's echo interrupt it.
func TestReductionFallsOnLeakingEcho(t *testing.T) {
	c := converged(t)
	for range 25 { // 500 ms: the echo at its usual level, 2 dB removed
		c.trackReduction(-20, -21, -23, echo)
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
		c.trackReduction(-20, -16, -17, user)
	}
	assert.Greater(t, c.EchoReductionDB(), 20.0, "the estimate holds while the user talks")
	assert.Zero(t, c.Stats().EchoLeaks)
	assert.InDelta(t, -2, c.Stats().EchoPathGainDB, 0.5, "the user's voice is not learned as echo")
}
