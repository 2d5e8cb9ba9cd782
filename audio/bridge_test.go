package audio

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
	"github.com/fullduplex-go/fullduplex/audio/wavio"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// turns is a Sink that records the conversation's events and transcripts.
type turns struct {
	mu          sync.Mutex
	ends        int
	transcripts []string
	changed     chan struct{}
}

func newTurns() *turns { return &turns{changed: make(chan struct{}, 100)} }

func (tr *turns) Write(_ context.Context, item fullduplex.StreamItem) error {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	switch it := item.(type) {
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd {
			tr.ends++
		}
	case fullduplex.Symbol:
		if text, ok := it.TextValue(); ok {
			tr.transcripts = append(tr.transcripts, it.Role()+": "+text)
		}
	}
	select {
	case tr.changed <- struct{}{}:
	default:
	}
	return nil
}

func (tr *turns) waitEnds(ctx context.Context, n int) error {
	for {
		tr.mu.Lock()
		got := tr.ends
		tr.mu.Unlock()
		if got >= n {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tr.changed:
		}
	}
}

// echoSession returns a session over a stream to geminitest's echo model.
func echoSession(t *testing.T) *fullduplex.DuplexSession {
	t.Helper()
	_, s := echoServer(t)
	return s
}

// echoServer is echoSession with the server, to turn the echo model off.
func echoServer(t *testing.T) (*geminitest.Server, *fullduplex.DuplexSession) {
	t.Helper()
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	stream := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	t.Cleanup(func() { _ = stream.Close() })
	return srv, fullduplex.NewDuplexSession(stream)
}

// runInBackground starts b.Run and returns a stop function that cancels it
// and returns its error.
func runInBackground(ctx context.Context, b *Bridge) (stop func() error) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	return func() error {
		cancel()
		return <-done
	}
}

// stretches returns the loud stretches of s (10 ms windows above -40 dBFS,
// gaps under 300 ms bridged) as [start, end) sample offsets.
func stretches(s []int16, rate int) [][2]int {
	w := rate / 100
	var out [][2]int
	for i := 0; i+w <= len(s); i += w {
		if pcm.DBFS(s[i:i+w]) <= -40 {
			continue
		}
		if n := len(out); n > 0 && i-out[n-1][1] < rate*3/10 {
			out[n-1][1] = i + w
			continue
		}
		out = append(out, [2]int{i, i + w})
	}
	return out
}

func secs(n, rate int) float64 { return float64(n) / float64(rate) }

// The mic-chat code path without devices: a WAV file speaks, the echo model
// answers, a real-time WAV sink "plays" the answer.
func TestBridgeHeadlessEchoTurn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	src, err := wavio.OpenSource("../testdata/hello.wav", wavio.SourceConfig{Realtime: true, LeadSilence: 300 * time.Millisecond, TrailSilence: 5 * time.Second})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "reply.wav")
	out, err := wavio.CreateSink(path, wavio.SinkConfig{Realtime: true})
	require.NoError(t, err)
	tr := newTurns()
	b, err := NewBridge(echoSession(t), Config{Input: src, Output: out, Sinks: []fullduplex.Sink{tr}})
	require.NoError(t, err)
	defer b.Close()
	stop := runInBackground(ctx, b)
	require.NoError(t, tr.waitEnds(ctx, 1), "the echo model answered")
	require.NoError(t, out.Drain(ctx))
	time.Sleep(100 * time.Millisecond)
	require.ErrorIs(t, stop(), context.Canceled)
	require.NoError(t, out.Close())
	require.NoError(t, src.Close())

	w := readWAVFile(t, path)
	st := stretches(w.Samples, w.SampleRate)
	require.NotEmpty(t, st, "the reply was played")
	reply := st[len(st)-1]
	assert.InDelta(t, 2.8, secs(reply[1]-reply[0], w.SampleRate), 0.4, "reply duration (s), stretches %v", st)
	assert.Greater(t, pcm.DBFS(w.Samples[reply[0]:reply[1]]), -35.0)
	assert.Zero(t, b.Stats().BargeIn.Interrupts)
	tr.mu.Lock()
	assert.NotEmpty(t, tr.transcripts)
	tr.mu.Unlock()
}

// Barge-in without devices: the user speaks while the answer plays; the
// sink goes silent.
func TestBridgeHeadlessBargeIn(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	input := bargeInScript(t)
	src, err := wavio.NewSource(wavReader(t, input, 16000), wavio.SourceConfig{Realtime: true})
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "reply.wav")
	out, err := wavio.CreateSink(path, wavio.SinkConfig{Realtime: true})
	require.NoError(t, err)
	tr := newTurns()
	b, err := NewBridge(echoSession(t), Config{
		Input: src, Output: out, Sinks: []fullduplex.Sink{tr},
		// The WAV "microphone" hears no echo, like a headset.
		BargeIn: bargein.Config{EchoGainDB: -40},
	})
	require.NoError(t, err)
	defer b.Close()
	stop := runInBackground(ctx, b)
	require.NoError(t, tr.waitEnds(ctx, 2), "answers to both utterances")
	require.NoError(t, out.Drain(ctx))
	require.ErrorIs(t, stop(), context.Canceled)
	require.NoError(t, out.Close())

	assert.EqualValues(t, 1, b.Stats().BargeIn.Interrupts)
	checkCutReply(t, readWAVFile(t, path))
}

// bargeInScript: 0.3 s silence, hello (2.9 s), 1.5 s silence, interrupt
// (1.7 s), 3 s silence. The echo model answers hello about 0.5 s after it
// ends, so "wait, stop, stop" starts about 1 s into the answer.
func bargeInScript(t *testing.T) []int16 {
	hello := readWAVFile(t, "../testdata/hello.wav").Samples
	stop := readWAVFile(t, "../testdata/interrupt.wav").Samples
	var s []int16
	s = pcm.AppendSilence(s, 4800)
	s = append(s, hello...)
	s = pcm.AppendSilence(s, 24000)
	s = append(s, stop...)
	return pcm.AppendSilence(s, 48000)
}

// checkCutReply checks a recording of the barge-in script's answers: the
// first answer (2.9 s of speech if played whole) is cut short, and silence
// follows it until the second answer.
func checkCutReply(t *testing.T, w *pcm.WAV) {
	t.Helper()
	st := stretches(w.Samples, w.SampleRate)
	t.Logf("loud stretches (s): %v", fmtStretches(st, w.SampleRate))
	require.GreaterOrEqual(t, len(st), 2, "the cut answer and the second answer")
	first := st[0]
	assert.Less(t, secs(first[1]-first[0], w.SampleRate), 2.3, "the first answer was cut short")
	gap := st[1][0] - first[1]
	assert.Greater(t, secs(gap, w.SampleRate), 0.8, "silence after the cut")
	assert.Equal(t, pcm.SilenceDB, pcm.DBFS(w.Samples[first[1]+w.SampleRate/10:st[1][0]-w.SampleRate/10]), "digital silence after the cut")
}

func fmtStretches(st [][2]int, rate int) [][2]float64 {
	out := make([][2]float64, len(st))
	for i, s := range st {
		out[i] = [2]float64{secs(s[0], rate), secs(s[1], rate)}
	}
	return out
}

func readWAVFile(t *testing.T, path string) *pcm.WAV {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	return w
}

func wavReader(t *testing.T, s []int16, rate int) *os.File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.wav")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, pcm.WriteWAV(f, s, rate, 1))
	require.NoError(t, f.Close())
	f, err = os.Open(path)
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return f
}

// The mic-chat code path on real PortAudio devices: speech played into the
// "mic" sink reaches the echo model through the Microphone, and its answer
// is recorded from the "speaker" sink's monitor.
func TestBridgeDevicesEchoTurn(t *testing.T) {
	requireRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rec := record(t, "speaker.monitor", 16000)
	tr := newTurns()
	b, err := NewBridge(echoSession(t), Config{Sinks: []fullduplex.Sink{tr}})
	require.NoError(t, err)
	defer b.Close()
	stop := runInBackground(ctx, b)
	time.Sleep(300 * time.Millisecond)
	require.NoError(t, exec.CommandContext(ctx, "paplay", "--device=mic", "../testdata/hello.wav").Run())
	require.NoError(t, tr.waitEnds(ctx, 1), "the echo model answered")
	require.NoError(t, b.Speaker().Drain(ctx))
	time.Sleep(300 * time.Millisecond)
	require.ErrorIs(t, stop(), context.Canceled)
	rec.Stop()

	s := rec.Samples()
	st := stretches(s, 16000)
	t.Logf("loud stretches (s): %v; %+v", fmtStretches(st, 16000), b.Stats())
	require.NotEmpty(t, st, "the answer reached the speaker sink")
	reply := st[len(st)-1]
	assert.InDelta(t, 2.7, secs(reply[1]-reply[0], 16000), 0.4, "answer duration (s)")
	assert.Greater(t, pcm.DBFS(s[reply[0]:reply[1]]), -35.0, "answer level")
	assert.Zero(t, b.Stats().BargeIn.Interrupts)
	assert.Zero(t, b.Stats().Microphone.Overflows)
}

// Barge-in on real devices: "wait, stop, stop" played into the mic sink
// while the answer plays; the speaker sink's monitor goes silent.
func TestBridgeDevicesBargeIn(t *testing.T) {
	requireRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	script := bargeInScript(t)
	in := filepath.Join(t.TempDir(), "script.wav")
	f, err := os.Create(in)
	require.NoError(t, err)
	require.NoError(t, pcm.WriteWAV(f, script, 16000, 1))
	require.NoError(t, f.Close())

	rec := record(t, "speaker.monitor", 16000)
	tr := newTurns()
	b, err := NewBridge(echoSession(t), Config{
		Sinks: []fullduplex.Sink{tr},
		// The rig's mic hears nothing of the speaker, like a headset.
		BargeIn: bargein.Config{EchoGainDB: -40},
	})
	require.NoError(t, err)
	defer b.Close()
	stop := runInBackground(ctx, b)
	require.NoError(t, exec.CommandContext(ctx, "paplay", "--device=mic", in).Run())
	require.NoError(t, tr.waitEnds(ctx, 2), "answers to both utterances")
	require.NoError(t, b.Speaker().Drain(ctx))
	time.Sleep(300 * time.Millisecond)
	require.ErrorIs(t, stop(), context.Canceled)
	rec.Stop()

	st := b.Stats()
	t.Logf("%+v", st)
	assert.EqualValues(t, 1, st.BargeIn.Interrupts)
	assert.GreaterOrEqual(t, st.Speaker.Flushes, int64(1))
	assert.Greater(t, st.Speaker.FlushedFrames, int64(b.Speaker().DeviceRate()/2), "more than 0.5 s of the answer was dropped")
	checkCutReply(t, &pcm.WAV{Samples: rec.Samples(), SampleRate: 16000, Channels: 1})
}

func TestBridgeErrors(t *testing.T) {
	_, err := NewBridge(nil, Config{})
	require.Error(t, err)
	s := fullduplex.NewDuplexSession(nil)
	_, err = NewBridge(s, Config{Speaker: SpeakerConfig{Device: "no-such-device-xyz"}})
	if rigReachable() == nil || os.Getenv("CI") == "true" {
		require.ErrorIs(t, err, ErrNoDevice)
	} else {
		require.True(t, errors.Is(err, ErrNoDevice) || errors.Is(err, ErrDevice), "%v", err)
	}
}
