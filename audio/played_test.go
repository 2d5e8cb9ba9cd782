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

// turnSymbols tags symbols with MetaTurn turn.
func turnSymbols(syms []fullduplex.Symbol, turn int) []fullduplex.Symbol {
	for i := range syms {
		syms[i] = syms[i].WithMeta(fullduplex.MetaTurn, turn)
	}
	return syms
}

func writeAll(t *testing.T, sp *Speaker, items ...[]fullduplex.Symbol) {
	t.Helper()
	for _, syms := range items {
		for _, s := range syms {
			require.NoError(t, sp.Write(context.Background(), s))
		}
	}
}

// On a fake device whose buffers reach the DAC 30 ms after each callback,
// Played counts each turn's samples from the moment they reach the DAC:
// not what was queued, not what the callback handed over, and not another
// turn's or untagged audio.
func TestFakeSpeakerPlayedFollowsTheDAC(t *testing.T) {
	const rate = 24000 // the device rate: no resampling, exact counts
	sp := fakeSpeaker(t, SpeakerConfig{}, rate)
	defer sp.Close()
	writeAll(t, sp,
		turnSymbols(toneSymbols(440, 0.5, rate, 100*time.Millisecond), 1),
		toneSymbols(440, 0.5, rate, 40*time.Millisecond), // no MetaTurn
		turnSymbols(toneSymbols(440, 0.5, rate, 200*time.Millisecond), 2))
	const period, delay = 10 * time.Millisecond, 30 * time.Millisecond
	t0 := monotonicNow() - time.Second // every callback below is in the past
	assert.Zero(t, sp.playedAt(1, t0), "queued, not played")

	out := make([]int16, 240)
	cb := 0 // callbacks so far, one every period from t0
	drive := func(n int) {
		for range n {
			sp.c.driveDAC(out, 240, t0+time.Duration(cb)*period, delay)
			cb++
		}
	}
	drive(1)
	assert.Zero(t, sp.playedAt(1, t0+delay-time.Millisecond), "handed to the device, not at the DAC yet")
	assert.Equal(t, 5*time.Millisecond, sp.playedAt(1, t0+delay+5*time.Millisecond))
	assert.Equal(t, 10*time.Millisecond, sp.playedAt(1, t0+delay+20*time.Millisecond), "no more than the device was given")
	drive(4)
	assert.Equal(t, 37*time.Millisecond, sp.playedAt(1, t0+delay+37*time.Millisecond))
	drive(20)                                      // 250 ms handed over: turn 1, the untagged 40 ms, 110 ms of turn 2
	now := t0 + time.Duration(cb-1)*period + delay // the latest buffer reaches the DAC
	assert.Equal(t, 100*time.Millisecond, sp.playedAt(1, now))
	assert.Equal(t, 100*time.Millisecond, sp.playedAt(2, now))
	assert.Zero(t, sp.playedAt(3, now), "a turn the speaker never got")

	// Flush: the device plays out what it was given (110 ms of turn 2 by
	// the DAC time of the last buffer), and nothing of turn 2 counts after.
	sp.Flush()
	writeAll(t, sp, turnSymbols(toneSymbols(440, 0.5, rate, 20*time.Millisecond), 2)) // late audio of the cut turn: dropped by the session, ignored here
	drive(10)
	late := t0 + time.Duration(cb)*period + delay
	assert.Equal(t, 110*time.Millisecond, sp.playedAt(2, late))
	assert.Equal(t, 100*time.Millisecond, sp.playedAt(1, late))
	assert.Equal(t, 110*time.Millisecond, sp.Played(2), "on the real clock, long after")
}

// Between turns the device plays silence; a new turn's buffer on its way to
// the DAC does not make the finished turn look unheard.
func TestFakeSpeakerPlayedAcrossAGap(t *testing.T) {
	const rate = 24000
	sp := fakeSpeaker(t, SpeakerConfig{}, rate)
	defer sp.Close()
	out := make([]int16, 240)
	const period, delay = 10 * time.Millisecond, 50 * time.Millisecond
	t0 := monotonicNow()
	cb := 0
	drive := func(n int) {
		for range n {
			sp.c.driveDAC(out, 240, t0+time.Duration(cb)*period, delay)
			cb++
		}
	}
	writeAll(t, sp, turnSymbols(toneSymbols(440, 0.5, rate, 50*time.Millisecond), 1))
	require.NoError(t, sp.Write(context.Background(), fullduplex.NewEvent(fullduplex.EventStreamEnd, nil)))
	drive(20) // 50 ms of turn 1, then silence
	writeAll(t, sp, turnSymbols(toneSymbols(440, 0.5, rate, 50*time.Millisecond), 2))
	drive(1)
	now := t0 + time.Duration(cb-1)*period + time.Millisecond // before turn 2 reaches the DAC
	assert.Equal(t, 50*time.Millisecond, sp.playedAt(1, now))
	assert.Zero(t, sp.playedAt(2, now))
	assert.Equal(t, 10*time.Millisecond, sp.playedAt(2, now-time.Millisecond+delay+10*time.Millisecond))
}

// A host API that reports no DAC time: each buffer plays from its
// callback on.
func TestFakeSpeakerPlayedWithoutDACTime(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 24000)
	defer sp.Close()
	writeAll(t, sp, turnSymbols(toneSymbols(440, 0.5, 24000, 100*time.Millisecond), 4))
	out := make([]int16, 240)
	t0 := monotonicNow() - 100*time.Millisecond
	sp.c.driveAt(nil, out, 240, 0, t0)
	sp.c.driveAt(nil, out, 240, 0, t0+10*time.Millisecond)
	assert.Equal(t, 15*time.Millisecond, sp.playedAt(4, t0+15*time.Millisecond))
	assert.Equal(t, 20*time.Millisecond, sp.Played(4))
}

// TestSpeakerPlayedTracksTheDevice plays a 3 s turn on the rig, flushes
// it midway and checks Played: while playing it never exceeds what was
// handed to the device and trails it by no more than the device's output
// delay plus two periods; after Flush it stops, at what the speaker sink's
// monitor heard of the turn, within a callback period.
func TestSpeakerPlayedTracksTheDevice(t *testing.T) {
	requireRig(t)
	rec := record(t, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	const turn = 7
	writeAll(t, sp, turnSymbols(toneSymbols(440, 0.5, 24000, 3*time.Second), turn))

	require.True(t, waitFor(5*time.Second, func() bool { return sp.Played(turn) > time.Second }), "a second of the turn is played")
	period := sp.Period()
	for range 10 {
		before := sp.Stats().PlayedDuration
		p := sp.Played(turn)
		after := sp.Stats().PlayedDuration
		assert.LessOrEqual(t, p, after, "never more than the device was given")
		assert.GreaterOrEqual(t, p, before-sp.outputDelay()-2*period, "trails by at most the device's delay and two periods (delay %v)", sp.outputDelay())
		time.Sleep(period) // sample the position at different phases of the callback
	}

	sp.Flush()
	var stopped time.Duration
	require.True(t, waitFor(2*time.Second, func() bool {
		p := sp.Played(turn)
		done := p == stopped && !sp.Playing() && sp.Stats().PlayedDuration > 0
		stopped = p
		return done
	}), "Played stops after the flush")
	require.True(t, waitFor(3*time.Second, func() bool {
		s := rec.Samples()
		return len(s) > 3200 && pcm.DBFS(s[len(s)-3200:]) < -80
	}), "the monitor hears the silence after the flush")
	rec.Stop()
	final := sp.Played(turn)
	assert.Equal(t, stopped, final, "Played stays where the flush stopped it")
	assert.Less(t, final, 3*time.Second)

	heard := time.Duration(len(loud(rec.Samples(), 16000))) * time.Second / 16000
	margin := period + 20*time.Millisecond // a callback period, and 10 ms windows at both ends
	assert.InDelta(t, float64(heard), float64(final), float64(margin), "Played after the flush is what the monitor heard; speaker %+v", sp.Stats())
	t.Logf("device %q at %d Hz, delay %v: Played %v, monitor heard %v", sp.Device().Name, sp.DeviceRate(), sp.outputDelay(), final, heard)
}
