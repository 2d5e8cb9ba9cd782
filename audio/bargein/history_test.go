package bargein

import (
	"math"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A scripted speaker with a level history (like audio.Speaker): block i of
// 10 ms reaches the listener at anchor + i·10 ms.
type historySpeaker struct {
	fakeSpeaker
	anchor time.Time
	levels Levels
}

func (h *historySpeaker) advance(n int) {
	for ; n > 0; n -= 160 {
		end := min(h.pos+160, len(h.out))
		rms := 0.0
		if h.pos < end {
			rms = pcm.RMS(h.out[h.pos:end])
		}
		h.levels.Note(h.anchor.Add(time.Duration(h.pos)*time.Second/16000), rms)
		h.fakeSpeaker.advance(160)
	}
}

func (h *historySpeaker) LevelAt(t time.Time) (float64, bool) {
	return h.levels.At(t, DefaultLevelDecay)
}

// DefaultLevelDecay matches the speakers' default decay.
const DefaultLevelDecay = 250 * time.Millisecond

// A microphone that lags (a loaded machine; a backlog of buffered audio):
// each frame reaches the Watcher lag after it was captured, while the
// speaker has moved on. The gate must compare each frame with what the
// speaker played when it was captured; audio captured longer ago than
// StaleAfter never counts.
func TestLaggingMicrophone(t *testing.T) {
	hello := load(t, "hello.wav")
	stop := load(t, "interrupt.wav")
	// The model speaks, pauses 1.2 s, speaks again; its echo reaches the
	// microphone at 0 dB.
	model := cat(gain(hello[:16000*6/5], -10), silence(1200*time.Millisecond), gain(hello, -10))
	userOver := cat(silence(1300*time.Millisecond), gain(stop, 0)) // the user, 10 dB above the model
	cases := []struct {
		name       string
		mic        []int16
		lag        time.Duration // from capture to the Watcher
		old        time.Duration // how old the Timestamps say the audio is
		interrupts bool
		stale      bool
	}{
		// With the speaker's level as of now (the pause), the echo of its
		// last 600 ms of speech passed the gate: the model interrupted
		// itself.
		{"echo, 600 ms late", model, 600 * time.Millisecond, 0, false, false},
		{"the user over the echo, 600 ms late", mix(model, userOver), 600 * time.Millisecond, 0, true, false},
		// Audio captured 1.5 s ago: too late to count, even the user's.
		{"the user over the echo, captured 1.5 s ago", mix(model, userOver), 0, 1500 * time.Millisecond, false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			anchor := time.Now()
			if c.old > 0 { // every frame at least that old
				anchor = anchor.Add(-c.old - time.Duration(len(c.mic))*time.Second/16000)
			}
			spk := &historySpeaker{fakeSpeaker: fakeSpeaker{out: cat(model, silence(2*time.Second))}, anchor: anchor}
			var interrupts int
			w, err := New(nil, spk, func() { interrupts++ }, Config{})
			require.NoError(t, err)
			lag := int(c.lag.Seconds() * 16000)
			spk.advance(lag)
			for pos := 0; pos+320 <= len(c.mic); pos += 320 {
				spk.advance(320)
				s := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, c.mic[pos:pos+320]), 16000)
				s.Timestamp = anchor.Add(time.Duration(pos+320) * time.Second / 16000)
				_, err := w.Observe(s)
				require.NoError(t, err)
			}
			st := w.Stats()
			t.Logf("%+v", st)
			if c.interrupts {
				assert.Equal(t, 1, interrupts, "the user interrupted")
			} else {
				assert.Zero(t, interrupts, "no interrupt")
			}
			if c.stale {
				assert.Equal(t, st.SpeechFrames, st.StaleFrames, "every speech frame was stale")
			} else {
				assert.Zero(t, st.StaleFrames)
			}
		})
	}
}

func mix(a, b []int16) []int16 {
	out := make([]int16, max(len(a), len(b)))
	for i := range out {
		var v int32
		if i < len(a) {
			v += int32(a[i])
		}
		if i < len(b) {
			v += int32(b[i])
		}
		out[i] = int16(max(-32768, min(32767, v)))
	}
	return out
}

func TestPeakAt(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	levels := []TimedLevel{{at(30), 0.1}, {at(20), 0}, {at(10), 0.5}} // newest first
	cases := []struct {
		name string
		t    time.Time
		full bool
		want float64
		ok   bool
	}{
		{"before anything played", at(5), false, 0, true},
		{"not played yet at t: ignored", at(10), false, 0.5, true},
		{"decays", at(260), false, 0.5 * math.Exp(-1), true},
		{"newer louder wins", at(31), false, 0.5 * math.Exp(-21.0/250), true},
		{"older than a full history", at(5), true, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, ok := PeakAt(levels, c.full, c.t, 250*time.Millisecond)
			assert.Equal(t, c.ok, ok)
			assert.InDelta(t, c.want, got, 1e-6)
		})
	}
}
