package audio

import (
	"context"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/aec"
	"github.com/fullduplex-go/fullduplex/audio/wavio"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tee records the audio a Source yields.
type tee struct {
	src     fullduplex.Source
	samples []int16
}

func (t *tee) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := t.src.Next(ctx)
	if err == nil && s.Modality == fullduplex.ModalityAudio {
		t.samples, _ = pcm.DecodeInt16(t.samples, s.Data)
	}
	return s, err
}

// Real devices with a real echo path (speaker → mic at 0 dB): the speexdsp
// canceller removes the model's voice from the microphone.
func TestEchoCancellerOnTheRig(t *testing.T) {
	requireRig(t)
	withAcousticEcho(t)
	spk, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer spk.Close()
	mic, err := OpenMicrophone(MicrophoneConfig{})
	require.NoError(t, err)
	defer mic.Close()
	raw := &tee{src: mic}
	can, err := aec.New(raw, spk, aec.Config{})
	require.NoError(t, err)
	defer can.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The model speaks: hello.wav three times, at 24 kHz.
	model, err := wavio.OpenSource("../testdata/hello.wav", wavio.SourceConfig{SampleRate: 24000, TrailSilence: 200 * time.Millisecond})
	require.NoError(t, err)
	var syms []fullduplex.Symbol
	for {
		s, err := model.Next(ctx)
		if err != nil {
			break
		}
		syms = append(syms, s)
	}
	for range 3 {
		for _, s := range syms {
			require.NoError(t, spk.Write(ctx, s))
		}
	}
	// Per 20 ms chunk: the output, and the reduction the canceller claims
	// for it (what the barge-in gate relies on).
	var out []int16
	var claims []float64
	var glitchAt []int64 // the speaker's glitch count per chunk
	for len(out) < 16000*9 {
		s, err := can.Next(ctx)
		require.NoError(t, err)
		out, err = pcm.DecodeInt16(out, s.Data)
		require.NoError(t, err)
		for range len(s.Data) / 2 / 320 {
			claims = append(claims, can.EchoReductionDB())
			glitchAt = append(glitchAt, spk.ReferenceGlitches())
		}
	}
	n := min(len(out), len(raw.samples))
	from := n / 2 // after convergence
	echo, left := pcm.DBFS(raw.samples[from:n]), pcm.DBFS(out[from:n])
	// The chunks where the echo is loud and the canceller claims a
	// reduction: the reduction it really achieves there, and how often it
	// claims over 10 dB more than it achieves (the barge-in gate would
	// let that much echo through).
	// Chunks 600 ms or more after the speaker's latest glitch are quiet:
	// there the canceller must be converged.
	var achieved []float64
	loud, over, quiet, quietClaimed := 0, 0, 0, 0
	since := 0
	for i, r := range claims {
		if i > 0 && glitchAt[i] != glitchAt[i-1] {
			since = 0
		}
		since++
		j := i * 320
		if j+320 > n || pcm.DBFS(raw.samples[j:j+320]) < -40 {
			continue
		}
		loud++
		isQuiet := since >= 30 && i >= 100 // and 2 s into the test: first convergence
		if isQuiet {
			quiet++
		}
		if r > 0 {
			e := pcm.DBFS(raw.samples[j:j+320]) - pcm.DBFS(out[j:j+320])
			achieved = append(achieved, e)
			if e < r-10 {
				over++
			}
			if isQuiet {
				quietClaimed++
			}
		}
	}
	sort.Float64s(achieved)
	median := 0.0
	if len(achieved) > 0 {
		median = achieved[len(achieved)/2]
	}
	t.Logf("echo at the mic %.1f dBFS, after the canceller %.1f dBFS: ERLE %.1f dB over the second half; "+
		"while it claims a reduction (%d of %d loud chunks; %d of %d quiet ones): median ERLE %.1f dB, over-claimed %d; %+v",
		echo, left, echo-left, len(achieved), loud, quietClaimed, quiet, median, over, can.Stats())
	t.Logf("speaker: %+v; output delay %v", spk.Stats(), spk.outputDelay())
	require.Greater(t, echo, -40.0, "the loopback carries the echo")
	require.Positive(t, loud)
	// Output glitches of the speaker (several a second on a loaded
	// machine) shift the echo; after each the canceller holds and reports
	// no reduction until it has re-measured the delay. When it does claim
	// a reduction, it must achieve it: that is what keeps the model from
	// interrupting itself.
	assert.Less(t, float64(over), 0.1*float64(len(achieved))+1, "chunks where the claimed reduction exceeds the real one by over 10 dB")
	if len(achieved) >= 20 {
		assert.Greater(t, median, 20.0, "echo return loss enhancement while a reduction is claimed")
	}
	if quiet >= 50 {
		assert.Greater(t, float64(quietClaimed), 0.5*float64(quiet), "converged between the speaker's glitches")
	} else {
		t.Logf("the speaker glitched throughout (%d glitches): only the claims were checked", glitchAt[len(glitchAt)-1]-glitchAt[0])
	}
}

// Barge-in with loudspeakers: the speaker loops back into the microphone at
// 0 dB; with the canceller in the bridge (Options.Filter) the default echo
// gate relaxes as it converges, so the model's echo does not interrupt it
// but the user, at a normal level, does once the canceller has converged
// (about 1.5 s of the model's voice).
func TestBridgeBargeInWithEchoCancellation(t *testing.T) {
	requireRig(t)
	hello := readWAVFile(t, "../testdata/hello.wav").Samples
	cases := []struct {
		name       string
		script     []int16
		interrupts bool
	}{
		{"the model's echo alone does not interrupt", pcm.AppendSilence(append(pcm.AppendSilence(nil, 4800), hello...), 8000), false},
		{"the user interrupts over the echo", warmScript(t), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			withAcousticEcho(t)
			ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
			defer cancel()
			in := filepath.Join(t.TempDir(), "script.wav")
			f, err := os.Create(in)
			require.NoError(t, err)
			require.NoError(t, pcm.WriteWAV(f, c.script, 16000, 1))
			require.NoError(t, f.Close())

			tr := newTurns()
			srv, session := echoServer(t)
			// The gate's inputs, per symbol the watcher sees, for the log.
			probe := &gateProbe{start: time.Now()}
			b, err := NewBridge(session, Config{
				Filter: func(in fullduplex.Source, out fullduplex.Sink) (fullduplex.Source, error) {
					probe.raw = &rawProbe{src: in, db: map[time.Time]float64{}}
					src, err := aec.Filter(aec.Config{})(probe.raw, out)
					probe.src, probe.can, probe.spk = src, src.(*aec.Canceller), out.(*Speaker)
					return probe, err
				},
				Sinks: []fullduplex.Sink{tr},
			})
			require.NoError(t, err)
			defer b.Close()
			probe.b = b
			defer func() {
				if t.Failed() {
					t.Logf("gate probe (ms since start: raw mic dBFS, mic after the canceller dBFS, level at capture dBFS, claimed reduction dB, lag ms, interrupts):\n%s", probe.log.String())
				}
			}()
			stop := runInBackground(ctx, b)
			require.NoError(t, exec.CommandContext(ctx, "paplay", "--device=mic", in).Run())
			require.NoError(t, tr.waitEnds(ctx, 1), "the echo model answered")
			if !c.interrupts {
				// Only the first answer matters: the echo model must not
				// answer what is left of its own echo.
				srv.SetEcho(false)
			}
			drain, dcancel := context.WithTimeout(ctx, 10*time.Second)
			_ = b.Speaker().Drain(drain)
			dcancel()
			time.Sleep(200 * time.Millisecond)
			require.ErrorIs(t, stop(), context.Canceled)

			st := b.Stats()
			t.Logf("%+v; output delay %v", st, b.Speaker().outputDelay())
			if can := probe.can; can != nil {
				t.Logf("canceller: reduction estimate %.1f dB; %+v", can.EchoReductionDB(), can.Stats())
			}
			if c.interrupts {
				assert.EqualValues(t, 1, st.BargeIn.Interrupts)
				assert.Greater(t, st.Speaker.FlushedFrames, int64(2*b.Speaker().DeviceRate()), "over 2 s of the answer dropped")
			} else {
				assert.Zero(t, st.BargeIn.Interrupts)
				assert.Greater(t, st.Speaker.PlayedDuration, 2500*time.Millisecond, "the answer played whole")
			}
		})
	}
}

// warmScript: a long question (hello three times, 8.7 s), then 3.7 s of
// silence, then "wait, stop, stop". The echo model answers with the same
// 8.7 s of speech about 0.7 s after the question, so the user speaks about
// 3 s into the answer, over its echo, once the canceller has converged.
func warmScript(t *testing.T) []int16 {
	hello := readWAVFile(t, "../testdata/hello.wav").Samples
	stop := readWAVFile(t, "../testdata/interrupt.wav").Samples
	s := pcm.AppendSilence(nil, 4800)
	for range 3 {
		s = append(s, hello...)
	}
	s = pcm.AppendSilence(s, 59200)
	s = append(s, stop...)
	return pcm.AppendSilence(s, 32000)
}

// gateProbe records, per symbol on its way to the barge-in watcher, what
// the echo gate compares: logged when a test fails.
type gateProbe struct {
	src   fullduplex.Source
	raw   *rawProbe
	can   *aec.Canceller
	spk   *Speaker
	b     *Bridge
	start time.Time
	log   strings.Builder
	n     int
}

func (p *gateProbe) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := p.src.Next(ctx)
	if err != nil || s.Modality != fullduplex.ModalityAudio || p.b == nil {
		return s, err
	}
	x, _ := pcm.DecodeInt16(nil, s.Data)
	l, _ := p.spk.LevelAt(s.Timestamp)
	if p.n < 4000 {
		p.n++
		fmt.Fprintf(&p.log, "%d: %.0f %.0f %.0f %.0f %d %d\n", s.Timestamp.Sub(p.start).Milliseconds(), p.raw.level(s.Timestamp), pcm.DBFS(x), pcm.AmplitudeToDB(l),
			p.can.EchoReductionDB(), time.Since(s.Timestamp).Milliseconds(), p.b.Stats().BargeIn.Interrupts)
	}
	return s, nil
}

// rawProbe notes the level of each microphone symbol before the canceller,
// by capture time.
type rawProbe struct {
	src fullduplex.Source
	mu  sync.Mutex
	db  map[time.Time]float64
}

func (r *rawProbe) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := r.src.Next(ctx)
	if err == nil && s.Modality == fullduplex.ModalityAudio {
		x, _ := pcm.DecodeInt16(nil, s.Data)
		r.mu.Lock()
		if len(r.db) < 10000 {
			r.db[s.Timestamp] = pcm.DBFS(x)
		}
		r.mu.Unlock()
	}
	return s, err
}

func (r *rawProbe) level(at time.Time) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if db, ok := r.db[at]; ok {
		return db
	}
	return math.NaN()
}

func (p *gateProbe) EchoReductionDB() float64 { return p.can.EchoReductionDB() }
func (p *gateProbe) Close() error             { return p.can.Close() }

// InputGlitches forwards the microphone's count to the canceller.
func (r *rawProbe) InputGlitches() int64 { return r.src.(aec.InputGlitchCounter).InputGlitches() }
