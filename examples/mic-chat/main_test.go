package main

import (
	"context"
	"github.com/fullduplex-go/fullduplex/examples/internal/lockedbuf"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/audiotest"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// syncBuffer is what the program prints, readable while it runs.
type syncBuffer = lockedbuf.Buffer

const recRate = 16000

// waitUntil polls cond every 10 ms until it holds or ctx is done.
func waitUntil(ctx context.Context, cond func() bool) bool {
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-t.C:
		}
	}
	return true
}

// voiced returns how long samples at recRate are above -45 dBFS.
func voiced(samples []int16) time.Duration { return voicedAt(samples, recRate) }

// voicedAt returns how long samples at rate are above -45 dBFS, in 20 ms frames.
func voicedAt(samples []int16, rate int) time.Duration {
	frame := rate / 50
	var n int
	for i := 0; i+frame <= len(samples); i += frame {
		if pcm.DBFS(samples[i:i+frame]) > -45 {
			n++
		}
	}
	return time.Duration(n) * 20 * time.Millisecond
}

// startChat runs mic-chat offline on the rig's default devices and waits
// until it listens. It returns the program's output and its result.
// chatOnRig records the rig's speaker and starts mic-chat offline on the
// rig's default devices, waiting until it listens. ctx bounds the test;
// stop ends mic-chat, whose result arrives on done. The rig's microphone
// hears nothing of its speaker, like a headset.
func chatOnRig(t *testing.T, timeout time.Duration) (ctx context.Context, rec *audiotest.Recording, stdout *syncBuffer, stop context.CancelFunc, done <-chan error) {
	t.Helper()
	audiotest.RequireRig(t)
	rec = audiotest.Record(t, audiotest.Speaker+".monitor", recRate)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	runCtx, stop := context.WithCancel(ctx)
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	errc := make(chan error, 1)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		errc <- run(runCtx, options{offline: true, system: "test", echo: "headphones"}, stdout, stderr)
	}()
	t.Cleanup(func() { stop(); <-finished }) // even when a require fails
	require.True(t, waitUntil(ctx, func() bool { return strings.Contains(stderr.String(), "Speak now") }),
		"mic-chat did not start listening: %s", stderr.String())
	return ctx, rec, stdout, stop, errc
}

// The main job end to end on real devices: a spoken question played into
// the microphone sink reaches the (offline echo) model, and its spoken
// answer comes out of the speaker sink while the transcript prints.
func TestMicChatEndToEnd(t *testing.T) {
	ctx, rec, stdout, stop, done := chatOnRig(t, 30*time.Second)

	start := time.Now()
	require.NoError(t, audiotest.Play(ctx, audiotest.Mic, "../../testdata/hello.wav"))
	require.True(t, waitUntil(ctx, func() bool { return strings.Contains(stdout.String(), "gemini: echo:") }), "no answer: %s", stdout.String())
	// Let the answer play out: it is the question echoed back, ~3 s.
	require.True(t, waitUntil(ctx, func() bool {
		s := rec.Since(start)
		return voiced(s) > time.Second && pcm.DBFS(tail(s, recRate)) < -60
	}), "the answer did not play and end")
	stop()
	require.NoError(t, <-done)

	out := rec.Since(start)
	t.Logf("transcript:\n%s\nvoiced %v of %v recorded", stdout.String(), voiced(out), time.Duration(len(out))*time.Second/recRate)
	assert.Contains(t, stdout.String(), "you: [")
	assert.Greater(t, pcm.DBFS(out), -40.0, "the answer is audible")
	// hello.wav has about 2.4 s of voiced speech; the echo model returns it.
	assert.InDelta(t, 2.4, voiced(out).Seconds(), 0.9, "the answer is as long as the question")
}

// Barge-in on real devices: talking over the answer silences the speaker
// at once, well before the answer would have ended.
func TestMicChatBargeIn(t *testing.T) {
	ctx, rec, _, stop, done := chatOnRig(t, 40*time.Second)

	start := time.Now()
	require.NoError(t, audiotest.Play(ctx, audiotest.Mic, "../../testdata/hello.wav"))
	// Wait until the answer has been playing for 0.8 s, then talk over it.
	var answerStart time.Time
	require.True(t, waitUntil(ctx, func() bool {
		if answerStart.IsZero() && pcm.DBFS(tail(rec.Since(start), recRate/50)) > -45 {
			answerStart = time.Now()
		}
		return !answerStart.IsZero() && time.Since(answerStart) > 800*time.Millisecond
	}), "the answer never started")
	cut := time.Now()
	require.NoError(t, audiotest.Play(ctx, audiotest.Mic, "../../testdata/interrupt.wav")) // "Wait, stop, stop." 1.7 s
	// Without barge-in the ~3 s answer would play on through this window;
	// the echo of the interruption itself comes only after its 600 ms of
	// closing silence.
	during := rec.Since(cut)
	stop()
	require.NoError(t, <-done)

	window := during[min(len(during), recRate/2):min(len(during), recRate*3/2)] // 0.5–1.5 s after the user spoke up
	t.Logf("answer level before the cut %.1f dBFS; 0.5–1.5 s after %.1f dBFS", pcm.DBFS(rec.Since(answerStart)[:recRate/2]), pcm.DBFS(window))
	require.Len(t, window, recRate)
	assert.Less(t, pcm.DBFS(window), -60.0, "the speaker went silent after the user talked over it")
}

// tail returns the last n samples of s.
func tail(s []int16, n int) []int16 { return s[max(0, len(s)-n):] }

func TestUnknownEchoMode(t *testing.T) {
	err := run(context.Background(), options{offline: true, echo: "earplugs", inWAV: "../../testdata/hello.wav", outWAV: t.TempDir() + "/out.wav"}, &syncBuffer{}, &syncBuffer{})
	require.ErrorContains(t, err, `unknown -echo "earplugs"`)
}

// readWAV reads a WAV file the test wrote or mic-chat wrote.
func readWAV(t *testing.T, path string) *pcm.WAV {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	return w
}

// writeWAV writes 16 kHz mono samples to a new file and returns its path.
func writeWAV(t *testing.T, samples []int16) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "in.wav")
	f, err := os.Create(path)
	require.NoError(t, err)
	require.NoError(t, pcm.WriteWAV(f, samples, 16000, 1))
	require.NoError(t, f.Close())
	return path
}

// turns counts the user and model turns in mic-chat's transcript.
func turns(transcript string) (user, model int) {
	return strings.Count(transcript, "you: "), strings.Count(transcript, "gemini: ")
}

// mic-chat's side of the end of -in-wav: when the stream ends after the
// answer (RunDuplex returns nil: the file's end closed the input), the
// answer plays out into -out-wav and mic-chat returns nil (exit 0) at once,
// without writing silence on.
func TestMicChatWAVEndsWhenTheStreamEnds(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out := filepath.Join(t.TempDir(), "answer.wav")
	stream := fullduplextest.NewFakeStream()
	heard := fullduplex.TextSymbol("what time is it")
	heard.Metadata = map[string]any{fullduplex.MetaRole: fullduplex.RoleUser, fullduplex.MetaTranscript: true}
	answer := pcm.EncodeInt16(nil, pcm.AppendTone(nil, 440, 0.5, 24000, 24000)) // 1 s
	stream.EmitAfterInput(heard,
		fullduplex.AudioSymbol(answer[:24000], 24000), fullduplex.AudioSymbol(answer[24000:], 24000),
		fullduplex.TextSymbol("it is noon"), fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))
	var stdout, stderr syncBuffer
	in := "../../testdata/hello.wav"
	require.NoError(t, chat(ctx, stream, options{inWAV: in, outWAV: out, echo: "gate"}, &stdout, &stderr))
	require.NoError(t, ctx.Err(), "mic-chat ended by itself")
	assert.True(t, stream.InputClosed(), "the file's end closed the input")
	assert.NotContains(t, stderr.String(), "Speak now", "nobody is asked to speak to a file")

	user, model := turns(stdout.String())
	assert.Equal(t, [2]int{1, 1}, [2]int{user, model}, "one user turn, one model turn: %s", stdout.String())
	w := readWAV(t, out)
	assert.InDelta(t, 1.0, voicedAt(w.Samples, w.SampleRate).Seconds(), 0.05, "the whole answer is in the file")
	question := readWAV(t, in).Duration()
	written := w.Duration()
	assert.Less(t, written, question+time.Second+500*time.Millisecond,
		"the file ends after the answer: %v written for a %v question and a 1 s answer", written, question)
}

// Headless: WAV in, WAV out, no devices, the offline echo model. The file
// ends in 1.5 s of silence, so the model's voice activity detection ends
// the turn before the file does: the silence left when the file ends is no
// second, phantom turn, and the answer is the question.
func TestMicChatWAVFiles(t *testing.T) {
	hello := readWAV(t, "../../testdata/hello.wav")
	in := writeWAV(t, pcm.AppendSilence(append([]int16(nil), hello.Samples...), 24000))
	out := filepath.Join(t.TempDir(), "answer.wav")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, run(ctx, options{offline: true, inWAV: in, outWAV: out, duration: 8 * time.Second}, &stdout, &stderr))
	user, model := turns(stdout.String())
	assert.Equal(t, [2]int{1, 1}, [2]int{user, model}, "one user turn, one model turn: %s", stdout.String())
	assert.Contains(t, stdout.String(), "gemini: echo:")
	w := readWAV(t, out)
	assert.InDelta(t, 2.4, voicedAt(w.Samples, w.SampleRate).Seconds(), 0.9, "the answer in the file is as long as the question")
}

// The whole -in-wav run offline, as a user types it: mic-chat ends by
// itself shortly after the answer, with one user turn and one model turn,
// and the file holds the answer. It needs gemini.Stream to end the stream
// after the last answer when the input closes (fullduplex.SendCloser).
func TestMicChatWAVEndsByItself(t *testing.T) {
	if _, ok := any(gemini.NewStream(gemini.Config{})).(fullduplex.SendCloser); !ok {
		t.Skip("gemini.Stream does not implement fullduplex.SendCloser yet (issue 8 §2): -in-wav cannot end by itself")
	}
	out := filepath.Join(t.TempDir(), "answer.wav")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	in := "../../testdata/hello.wav"
	require.NoError(t, run(ctx, options{offline: true, inWAV: in, outWAV: out}, &stdout, &stderr))
	require.NoError(t, ctx.Err(), "mic-chat ended by itself")
	user, model := turns(stdout.String())
	assert.Equal(t, [2]int{1, 1}, [2]int{user, model}, "one user turn, one model turn: %s", stdout.String())
	w := readWAV(t, out)
	assert.InDelta(t, 2.4, voicedAt(w.Samples, w.SampleRate).Seconds(), 0.9, "the answer in the file is as long as the question")
	question := readWAV(t, in).Duration()
	assert.Less(t, w.Duration(), 2*question+2*time.Second, "no silence written on after the answer: %v", w.Duration())
}
