package audio

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// loudDuration is how long s (at rate) is above -40 dBFS, in 10 ms windows.
func loudDuration(s []int16, rate int) time.Duration {
	w := rate / 100
	n := 0
	for i := 0; i+w <= len(s); i += w {
		if pcm.DBFS(s[i:i+w]) > -40 {
			n++
		}
	}
	return time.Duration(n) * 10 * time.Millisecond
}

// turnSymbols tags symbols with MetaTurn turn.
func turnSymbols(syms []fullduplex.Symbol, turn int) []fullduplex.Symbol {
	for i := range syms {
		syms[i].Metadata[fullduplex.MetaTurn] = turn
	}
	return syms
}

// TestSpeakerPlayedTracksTheDevice plays a 3 s turn, reads Played while it
// plays, flushes it midway and checks Played against what reached the
// speaker sink's monitor: while playing it never exceeds what was handed to
// the device and trails it by no more than the device's output delay plus
// two periods; after Flush it stops, at what the monitor heard of the turn.
func TestSpeakerPlayedTracksTheDevice(t *testing.T) {
	requireRig(t)
	rec := record(t, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	ctx := context.Background()
	const turn = 7
	assert.Zero(t, sp.Played(turn), "nothing written yet")
	for _, s := range turnSymbols(toneSymbols(440, 0.5, 24000, 3*time.Second), turn) {
		require.NoError(t, sp.Write(ctx, s))
	}
	assert.Zero(t, sp.Played(turn+1), "a turn the speaker never got")

	// While it plays: Played trails what was handed to the device by about
	// the output delay, never more than handed.
	require.True(t, waitFor(5*time.Second, func() bool { return sp.Played(turn) > time.Second }), "a second of the turn is played")
	period := sp.Period()
	for range 20 {
		st := sp.Stats()
		p := sp.Played(turn)
		handed := sp.Stats().PlayedDuration
		assert.LessOrEqual(t, p, handed, "never more than the device was given")
		assert.GreaterOrEqual(t, p, st.PlayedDuration-sp.outputDelay()-2*period, "trails by at most the device's delay and two periods (delay %v)", sp.outputDelay())
		time.Sleep(period)
	}

	sp.Flush()
	// Once the device has played out what it was given, Played stops.
	var stopped time.Duration
	require.True(t, waitFor(2*time.Second, func() bool {
		p := sp.Played(turn)
		done := p == stopped && !sp.Playing()
		stopped = p
		return done
	}))
	require.True(t, waitFor(2*time.Second, func() bool {
		s := rec.Samples()
		return len(s) > 3200 && pcm.DBFS(s[len(s)-3200:]) < -80
	}), "the monitor hears the silence after the flush")
	rec.Stop()
	after := sp.Played(turn)
	assert.Equal(t, stopped, after, "Played stays where the flush stopped it")
	assert.Less(t, after, 3*time.Second)

	heard := loudDuration(rec.Samples(), 16000)
	margin := period + 20*time.Millisecond // a callback period, and 10 ms windows at both ends
	assert.InDelta(t, heard, after, float64(margin), "Played after the flush is what the monitor heard")
	t.Logf("device %q at %d Hz, delay %v: Played %v, monitor heard %v", sp.Device().Name, sp.DeviceRate(), sp.outputDelay(), after, heard)
}

// TestSpeakerPlayedPerTurn plays two turns back to back: each turn's Played
// counts its own audio only, and an untagged symbol counts for no turn.
func TestSpeakerPlayedPerTurn(t *testing.T) {
	requireRig(t)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	ctx := context.Background()
	for _, s := range turnSymbols(toneSymbols(440, 0.5, 24000, 300*time.Millisecond), 1) {
		require.NoError(t, sp.Write(ctx, s))
	}
	require.NoError(t, sp.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	for _, s := range toneSymbols(440, 0.5, 24000, 100*time.Millisecond) {
		require.NoError(t, sp.Write(ctx, s)) // no MetaTurn
	}
	for _, s := range turnSymbols(toneSymbols(440, 0.5, 24000, 200*time.Millisecond), 2) {
		require.NoError(t, sp.Write(ctx, s))
	}
	require.NoError(t, sp.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	require.NoError(t, sp.Drain(ctx))
	// Drained: handed to the device; wait for it to reach the DAC.
	require.True(t, waitFor(2*time.Second, func() bool { return sp.Played(2) >= 200*time.Millisecond-sp.Period() }))
	tol := float64(5 * time.Millisecond) // the resampler's edges
	assert.InDelta(t, 300*time.Millisecond, sp.Played(1), tol)
	assert.InDelta(t, 200*time.Millisecond, sp.Played(2), tol)
	assert.Zero(t, sp.Played(0))
}
