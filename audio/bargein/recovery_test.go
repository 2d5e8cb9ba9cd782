package bargein

import (
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pausingSpeaker is a fakeSpeaker that can pause: while paused it plays
// nothing and keeps its place.
type pausingSpeaker struct {
	fakeSpeaker
	paused          bool
	pauses, resumes int
	flushed         bool
}

func (p *pausingSpeaker) Pause()  { p.paused = true; p.pauses++ }
func (p *pausingSpeaker) Resume() { p.paused = false; p.resumes++ }

func (p *pausingSpeaker) advance(n int) {
	if p.paused {
		p.level *= 0.5
		return
	}
	p.fakeSpeaker.advance(n)
}

// recoverRun feeds mic in 20 ms symbols to a Watcher over spk with
// recovery on, calling confirmAt's Confirm when the mic reaches it (0:
// never), and returns the Watcher's stats.
func recoverRun(t *testing.T, mic []int16, spk *pausingSpeaker, cfg Config, confirmAt time.Duration) Stats {
	t.Helper()
	w, err := New(nil, spk, func() { spk.flushed = true; spk.out = nil; spk.paused = false }, cfg)
	require.NoError(t, err)
	for pos := 0; pos+320 <= len(mic); pos += 320 {
		if confirmAt > 0 && time.Duration(pos)*time.Second/16000 == confirmAt {
			w.Confirm()
		}
		spk.advance(320)
		_, err := w.Observe(fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic[pos:pos+320]), 16000))
		require.NoError(t, err)
	}
	return w.Stats()
}

func TestFalseInterruptionRecovery(t *testing.T) {
	model := load(t, "hello.wav")
	user := load(t, "interrupt.wav") // "wait, stop, stop": 1.4 s of words
	cough := user[:5400]             // "wait": 340 ms, as short as a cough or "mm-hmm"
	long := cat(model, model)        // the answer, 5.8 s
	total := 5 * 16000
	cfg := Config{DisableEchoGate: true, ResumeAfter: 600 * time.Millisecond}
	cases := []struct {
		name          string
		mic           []int16
		cfg           Config
		confirmAt     time.Duration
		wantInterrupt bool
	}{
		{"a cough pauses the answer, which then resumes", pad(cough, 1200*time.Millisecond, total), cfg, 0, false},
		{"the user taking the floor interrupts", pad(user, 1200*time.Millisecond, total), cfg, 0, true},
		{"words in the input transcript interrupt before the window ends", pad(cough, 1200*time.Millisecond, total), cfg, 1500 * time.Millisecond, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			spk := &pausingSpeaker{fakeSpeaker: fakeSpeaker{out: cat(silence(500*time.Millisecond), long)}}
			st := recoverRun(t, c.mic, spk, c.cfg, c.confirmAt)
			t.Logf("%+v", st)
			assert.EqualValues(t, 1, st.Pauses, "barge-in paused the answer first")
			assert.Equal(t, 1, spk.pauses)
			if c.wantInterrupt {
				assert.EqualValues(t, 1, st.Interrupts)
				assert.True(t, spk.flushed, "the answer was cut")
				assert.Zero(t, spk.resumes)
			} else {
				assert.Zero(t, st.Interrupts, "the answer is not lost to a cough")
				assert.False(t, spk.flushed)
				assert.EqualValues(t, 1, st.Resumes)
				assert.Equal(t, 1, spk.resumes)
				assert.False(t, spk.paused, "playing again")
				// It resumed where it paused: the answer is as long as
				// the pause behind the clock (ResumeAfter+MinSpeech-
				// PauseAfter: 740 ms), nothing skipped.
				assert.InDelta(t, len(c.mic)-740*16, spk.pos, 320)
			}
		})
	}

	t.Run("an output that cannot pause is interrupted at once", func(t *testing.T) {
		spk := &fakeSpeaker{out: cat(silence(500*time.Millisecond), long)}
		at := run(t, pad(cough, 1200*time.Millisecond, total), spk, cfg)
		assert.Len(t, at, 1)
	})
	t.Run("off by default: a cough interrupts", func(t *testing.T) {
		spk := &pausingSpeaker{fakeSpeaker: fakeSpeaker{out: cat(silence(500*time.Millisecond), long)}}
		st := recoverRun(t, pad(cough, 1200*time.Millisecond, total), spk, Config{DisableEchoGate: true}, 0)
		assert.EqualValues(t, 1, st.Interrupts)
		assert.Zero(t, st.Pauses)
	})
}

// With recovery on, the speaker falls silent at the speech onset
// (PauseAfter, 60 ms), not after MinSpeech (200 ms): the pause comes
// within a frame of 60 ms of the user's speech. A burst shorter than
// MinSpeech (a cough, a click) resumes the answer; words interrupt it.
func TestRecoveryPausesAtTheOnset(t *testing.T) {
	model := load(t, "hello.wav")
	user := load(t, "interrupt.wav")
	long := cat(model, model)
	total := 5 * 16000
	cfg := Config{DisableEchoGate: true, ResumeAfter: 600 * time.Millisecond}
	onset := firstSpeech(t, user)
	for _, c := range []struct {
		name          string
		mic           []int16
		wantInterrupt bool
	}{
		{"a 120 ms burst resumes", user[:onset+120*16], false},
		{"the user's words interrupt", user, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			spk := &pausingSpeaker{fakeSpeaker: fakeSpeaker{out: cat(silence(500*time.Millisecond), long)}}
			mic := pad(c.mic, 1200*time.Millisecond, total)
			pausedAt := -1
			w, err := New(nil, spk, func() { spk.flushed = true; spk.out = nil; spk.paused = false }, cfg)
			require.NoError(t, err)
			for pos := 0; pos+320 <= len(mic); pos += 320 {
				spk.advance(320)
				_, err := w.Observe(fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mic[pos:pos+320]), 16000))
				require.NoError(t, err)
				if spk.pauses == 1 && pausedAt < 0 {
					pausedAt = pos + 320
				}
			}
			st := w.Stats()
			start := 1200*16 + onset // the first voiced sample in mic
			t.Logf("%+v; paused %d ms after the onset", st, (pausedAt-start)/16)
			require.Positive(t, pausedAt, "the output paused")
			assert.GreaterOrEqual(t, pausedAt-start, 60*16, "not before 60 ms of speech")
			assert.LessOrEqual(t, pausedAt-start, (60+2*20)*16, "within a frame of 60 ms of speech (the VAD may take one more)")
			if c.wantInterrupt {
				assert.EqualValues(t, 1, st.Interrupts)
				assert.True(t, spk.flushed)
			} else {
				assert.Zero(t, st.Interrupts, "the answer is not lost to a burst")
				assert.EqualValues(t, 1, st.Resumes)
				assert.False(t, spk.paused)
			}
		})
	}
}

// firstSpeech returns the index of the first 20 ms frame of x above -40 dBFS.
func firstSpeech(t *testing.T, x []int16) int {
	for i := 0; i+320 <= len(x); i += 320 {
		if pcm.DBFS(x[i:i+320]) > -40 {
			return i
		}
	}
	t.Fatal("no speech")
	return 0
}
