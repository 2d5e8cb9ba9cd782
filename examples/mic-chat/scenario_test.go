package main

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/audio"
	"github.com/fullduplex-go/fullduplex/audio/audiotest"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A scenario on the rig: mic-chat offline with its default flags but
// -echo, the echo model answering a 5.8 s question with the same speech,
// and the user talking over the answer 1.2 s into it ("wait, stop,
// stop", as loud as the answer), or coughing (a 150 ms burst of it), or
// not; white noise in the room, or not.
type scenario struct {
	echo  string  // -echo
	loop  float64 // the speaker looped into the microphone at this volume (1: 0 dB; PulseAudio volumes are cubic); 0: no loop, as with headphones
	user  bool    // the user talks over the answer
	cough bool    // with user: only a 150 ms burst of their first word
	noise bool    // white noise at the microphone,
	snr   float64 // this many dB below the user's voice
}

func (sc scenario) String() string {
	loop := "no-echo"
	if sc.loop > 0 {
		loop = fmt.Sprintf("echo-%.0fdB", pcm.AmplitudeToDB(sc.loop*sc.loop*sc.loop))
	}
	name := fmt.Sprintf("%s/%s", sc.echo, loop)
	if sc.noise {
		name += fmt.Sprintf("+noise-snr-%.0fdB", sc.snr)
	}
	return name
}

type outcome struct {
	interrupted bool          // mic-chat printed [interrupted]
	silence     time.Duration // from the user's first word to the start of 300 ms of silence on the speaker; -1 if never
	played      time.Duration // voiced answer on the speaker
	cutDB       float64       // the speaker 0.6 to 1.6 s after the user's first word, dBFS (barge-in has decided by then)
	want        time.Duration // voiced question (what the whole answer plays)
	transcript  string
	barge       bargein.Stats // the barge-in watcher's counters at the end

}

func runScenario(tb testing.TB, sc scenario) outcome {
	tb.Helper()
	audiotest.RequireRig(tb)
	// Everything here ends with the run (a benchmark's Cleanup would come
	// only after all its iterations).
	if sc.loop > 0 {
		defer audiotest.Loopback(tb, sc.loop)()
	}
	dir := tb.TempDir()
	hello := readWAV(tb, "../../testdata/hello.wav").Samples
	question := append(append([]int16(nil), hello...), hello...)
	qPath := writeWAVAt(tb, filepath.Join(dir, "question.wav"), question, 1)
	// The user: louder on the left, so that the microphone's left less
	// right is the user alone (the loop copies the speaker to both); the
	// microphone's downmix, 1.2 times the file, is as loud as the answer.
	words := readWAV(tb, "../../testdata/interrupt.wav").Samples
	if sc.cough {
		words = words[:firstVoiced(words)+150*recRate/1000]
	}
	stereo := make([]int16, 2*len(words))
	for i, v := range words {
		stereo[2*i] = pcm.FloatToInt16(float32(1.6 * float64(v) / 32768))
		stereo[2*i+1] = pcm.FloatToInt16(float32(0.8 * float64(v) / 32768))
	}
	uPath := writeWAVAt(tb, filepath.Join(dir, "user.wav"), stereo, 2)

	if sc.noise {
		// The noise is the same on both channels (the user's onset is
		// found in left less right): its level is the user's voiced
		// level at the microphone (1.2 times the file) less snr.
		level := voicedDB(words) + pcm.AmplitudeToDB(1.2) - sc.snr
		nPath := writeWAVAt(tb, filepath.Join(dir, "noise.wav"), whiteNoise(level, 40*recRate), 2)
		nctx, ncancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); _ = audiotest.Play(nctx, audiotest.Mic, nPath) }()
		defer func() { ncancel(); <-done }()
	}
	spk := audiotest.Record(tb, audiotest.Speaker+".monitor", recRate)
	defer spk.Stop()
	userRec := audiotest.RecordDifference(tb, audiotest.Mic+".monitor", recRate)
	defer userRec.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	o := defaults()
	o.offline, o.system, o.echo = true, "test", sc.echo
	bridges := make(chan *audio.Bridge, 1)
	bridgeOpened = func(b *audio.Bridge) { bridges <- b }
	defer func() { bridgeOpened = nil }()
	errc := make(chan error, 1)
	go func() { errc <- run(runCtx, o, stdout, stderr) }()
	finished := false
	defer func() {
		if !finished {
			stop()
			<-errc
		}
	}()
	require.True(tb, waitUntil(ctx, func() bool { return strings.Contains(stderr.String(), "Speak now") }), "mic-chat did not start: %s", stderr.String())

	start := time.Now()
	require.NoError(tb, audiotest.Play(ctx, audiotest.Mic, qPath))
	var answerAt time.Time
	require.True(tb, waitUntil(ctx, func() bool {
		for _, b := range spk.Blocks(start) {
			if pcm.DBFS(b.Samples) > -45 {
				answerAt = b.At
				return true
			}
		}
		return false
	}), "no answer")
	var cut time.Time
	if sc.user {
		// 1.2 s in: the canceller has heard a second of the model, and
		// the decision (about 0.8 s later) comes before the pause between
		// the two hellos of the answer (2.6 to 2.9 s into it).
		require.True(tb, waitUntil(ctx, func() bool { return time.Since(answerAt) > 1200*time.Millisecond }))
		cut = time.Now()
		require.NoError(tb, audiotest.Play(ctx, audiotest.Mic, uPath))
	}
	// The answer is 5.8 s: wait for its end, and a resume's.
	require.True(tb, waitUntil(ctx, func() bool { return time.Since(answerAt) > 8*time.Second }))
	stop()
	require.NoError(tb, <-errc)
	finished = true
	var barge bargein.Stats
	select {
	case b := <-bridges:
		barge = b.Stats().BargeIn
	default:
		tb.Fatal("mic-chat opened no bridge")
	}

	out := outcome{
		interrupted: strings.Contains(stdout.String(), "[interrupted]"),
		silence:     -1,
		want:        voiced(question),
		transcript:  stdout.String(),
		barge:       barge,
	}
	blocks := spk.Blocks(answerAt.Add(-20 * time.Millisecond))
	var all []int16
	for _, b := range blocks {
		if b.At.Before(answerAt.Add(7 * time.Second)) {
			all = append(all, b.Samples...)
		}
	}
	out.played = voiced(all)
	if sc.user {
		var onset time.Time
		for _, b := range userRec.Blocks(cut) {
			if pcm.DBFS(b.Samples) > -40 {
				onset = b.At
				break
			}
		}
		require.False(tb, onset.IsZero(), "the user's words did not reach the microphone")
		after := spk.Blocks(onset)
		var window []int16
		for _, b := range after {
			if d := b.At.Sub(onset); d >= 600*time.Millisecond && d < 1600*time.Millisecond {
				window = append(window, b.Samples...)
			}
		}
		out.cutDB = pcm.DBFS(window)
		for i := range after {
			quiet := i+30 <= len(after) // 300 ms: longer than the answer's own pauses
			for j := i; quiet && j < i+30; j++ {
				quiet = pcm.DBFS(after[j].Samples) < -50
			}
			if quiet {
				out.silence = after[i].At.Sub(onset)
				break
			}
		}
	}
	return out
}

// firstVoiced returns the index of the first 20 ms frame above -40 dBFS.
func firstVoiced(x []int16) int {
	for i := 0; i+recRate/50 <= len(x); i += recRate / 50 {
		if pcm.DBFS(x[i:i+recRate/50]) > -40 {
			return i
		}
	}
	return 0
}

// voicedDB returns the level of the 20 ms frames of x above -45 dBFS.
func voicedDB(x []int16) float64 {
	var v []int16
	for i := 0; i+recRate/50 <= len(x); i += recRate / 50 {
		if f := x[i : i+recRate/50]; pcm.DBFS(f) > -45 {
			v = append(v, f...)
		}
	}
	return pcm.DBFS(v)
}

// whiteNoise returns n stereo frames of white noise at db dBFS, the same
// on both channels.
func whiteNoise(db float64, n int) []int16 {
	amp := math.Sqrt(3) * math.Pow(10, db/20) // uniform: RMS is amp/sqrt(3)
	r := rand.New(rand.NewPCG(1, 2))
	out := make([]int16, 2*n)
	for i := 0; i < n; i++ {
		v := pcm.FloatToInt16(float32(amp * (2*r.Float64() - 1)))
		out[2*i], out[2*i+1] = v, v
	}
	return out
}

func writeWAVAt(tb testing.TB, path string, samples []int16, channels int) string {
	tb.Helper()
	f, err := os.Create(path)
	require.NoError(tb, err)
	require.NoError(tb, pcm.WriteWAV(f, samples, 16000, channels))
	require.NoError(tb, f.Close())
	return path
}

// Defaults are the product: with loudspeakers (the speaker looped into the
// microphone at 0 dB) and mic-chat's default flags, the model's echo alone
// does not interrupt it, and a user as loud as the model does.
func TestMicChatDefaultsOnSpeakers(t *testing.T) {
	t.Run("the model's echo alone does not interrupt it", func(t *testing.T) {
		o := runScenario(t, scenario{echo: defaults().echo, loop: 1})
		t.Logf("%+v", o)
		assert.False(t, o.interrupted, "the model interrupted itself: %s", o.transcript)
		assert.Greater(t, o.played, o.want*8/10, "the answer played whole")
	})
	t.Run("a user at the model's level interrupts", func(t *testing.T) {
		o := runScenario(t, scenario{echo: defaults().echo, loop: 1, user: true})
		t.Logf("%+v", o)
		assert.True(t, o.interrupted, "no [interrupted]: %s", o.transcript)
		assert.Positive(t, o.silence, "the speaker fell silent after the user spoke")
		assert.Less(t, o.cutDB, -50.0, "the speaker is silent 0.6 to 1.6 s after the user spoke up")
	})
}

// BenchmarkBargeInOnTheRig measures barge-in per echo mode, echo path and
// noise (BENCHMARKS.md): per iteration one run with the user talking over
// the answer, with an echo path one with the model alone, and in the
// default scenario (aec, the speaker looped at 0 dB, no noise) one with a
// cough; false-pauses counts the pauses the echo alone caused that
// resumed (no answer lost, but a gap). Run it with -benchtime=Nx, or
// -benchtime=1x -count=N (no warm-up run; one line per run).
func BenchmarkBargeInOnTheRig(b *testing.B) {
	minus6 := math.Cbrt(0.5) // PulseAudio volumes are cubic: -6 dB
	var cells []scenario
	for _, echo := range []string{"aec", "gate"} {
		cells = append(cells, scenario{echo: echo, loop: 1}, scenario{echo: echo, loop: minus6})
		for _, snr := range []float64{20, 10, 0} {
			cells = append(cells, scenario{echo: echo, loop: 1, noise: true, snr: snr})
		}
	}
	cells = append(cells,
		scenario{echo: "aec", loop: minus6, noise: true, snr: 10},
		scenario{echo: "headphones"}, scenario{echo: "headphones", noise: true, snr: 10},
		scenario{echo: "aec"}, scenario{echo: "gate"})
	for _, sc := range cells {
		b.Run(sc.String(), func(b *testing.B) {
			var silences []float64
			interrupts, falses, falseRuns, coughsLost, coughRuns, falsePauses := 0, 0, 0, 0, 0, 0
			for range b.N {
				u := sc
				u.user = true
				o := runScenario(b, u)
				if o.interrupted && o.silence > 0 && o.cutDB < -50 {
					interrupts++
					silences = append(silences, float64(o.silence.Milliseconds()))
				} else {
					b.Logf("the user did not interrupt: %+v", o)
				}
				if sc.loop > 0 {
					e := runScenario(b, sc)
					falseRuns++
					if e.interrupted || e.played < e.want*8/10 {
						falses++
						b.Logf("the echo alone cut the answer: %+v", e)
					}
					falsePauses += int(e.barge.Resumes)
				}
				if sc.echo == defaults().echo && sc.loop == 1 && !sc.noise {
					c := u
					c.cough = true
					o := runScenario(b, c)
					coughRuns++
					if o.interrupted || o.played < o.want*8/10 {
						coughsLost++
						b.Logf("a cough cut the answer: %+v", o)
					}
				}
			}
			sort.Float64s(silences)
			pct := func(p float64) float64 {
				if len(silences) == 0 {
					return -1
				}
				return silences[min(len(silences)-1, int(p*float64(len(silences))))]
			}
			b.ReportMetric(float64(interrupts)/float64(b.N), "interrupt-rate")
			if falseRuns > 0 {
				b.ReportMetric(float64(falses)/float64(falseRuns), "false-rate")
				// Pauses the echo alone caused that resumed the answer: no
				// answer lost, but a gap the listener hears.
				b.ReportMetric(float64(falsePauses), "false-pauses")
			}
			if coughRuns > 0 {
				b.ReportMetric(float64(coughsLost)/float64(coughRuns), "cough-lost-rate")
			}
			b.ReportMetric(pct(0.5), "silence-p50-ms")
			b.ReportMetric(pct(0.95), "silence-p95-ms")
			b.ReportMetric(0, "ns/op")
		})
	}
}
