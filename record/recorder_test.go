package record_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/record"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

// constant returns d of 16-bit mono PCM at rate whose every sample is v.
func constant(v int16, d time.Duration, rate int) []byte {
	n := int(d.Seconds() * float64(rate))
	s := make([]int16, n)
	for i := range s {
		s[i] = v
	}
	return pcm.EncodeInt16(nil, s)
}

func audio(v int16, d time.Duration, rate int, role string, ts time.Time) fd.Symbol {
	s := fd.AudioSymbol(constant(v, d, rate), rate).WithMeta(fd.MetaRole, role)
	s.Timestamp = ts
	return s
}

func readWAV(t *testing.T, path string) *pcm.WAV {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	return w
}

// channel returns channel ch of w over [from, to).
func channel(w *pcm.WAV, ch int, from, to time.Duration) []int16 {
	a, b := int(from.Seconds()*float64(w.SampleRate)), int(to.Seconds()*float64(w.SampleRate))
	out := make([]int16, 0, b-a)
	for f := a; f < b && f < w.Frames(); f++ {
		out = append(out, w.Samples[2*f+ch])
	}
	return out
}

// sameAs checks that got is n samples, each v, and names the first that is not.
func sameAs(t *testing.T, v int16, n int, got []int16, msg ...any) {
	t.Helper()
	if !assert.Len(t, got, n, msg...) {
		return
	}
	for i, g := range got {
		if g != v {
			assert.Failf(t, "wrong sample", "sample %d is %d, want %d: %v", i, g, v, msg)
			return
		}
	}
}

const ms = time.Millisecond

// The user's audio lands on the left channel where it was captured, the
// model's on the right where a speaker plays it (queued behind what plays),
// and a Flush cuts the model's queued audio at the moment it happened,
// while the user's barge-in speech sits beside the cut.
func TestStereoChannelsAndOffsets(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := &clock{now: t0}
	path := filepath.Join(dir, "call.wav")
	rec, err := record.Create(path, record.Config{Clock: c.Now})
	require.NoError(t, err)
	ctx := context.Background()
	src := rec.Source(fullduplextest.SliceSource(
		audio(1000, 100*ms, 24000, fd.RoleUser, t0.Add(600*ms)), // captured 500–600 ms
		fd.TextSymbol("hi"),
	))
	next := func() {
		_, err := src.Next(ctx)
		require.NoError(t, err)
	}
	next()
	next()
	w := func(item fd.StreamItem) { require.NoError(t, rec.Write(ctx, item)) }
	w(audio(2000, 200*ms, 24000, fd.RoleModel, t0.Add(time.Second))) // plays 1.0–1.2 s
	w(audio(3000, 200*ms, 24000, fd.RoleModel, t0.Add(1050*ms)))     // queued: 1.2–1.4 s
	w(fd.StreamEvent{Type: fd.EventStreamEnd, Timestamp: t0.Add(1100 * ms)})
	c.Set(t0.Add(1300 * ms))
	rec.Flush()                                                                                                          // barge-in at 1.3 s
	_, err = rec.Source(fullduplextest.SliceSource(audio(-1000, 100*ms, 24000, fd.RoleUser, t0.Add(1350*ms)))).Next(ctx) // 1.25–1.35 s
	require.NoError(t, err)
	w(audio(4000, 200*ms, 24000, fd.RoleModel, t0.Add(1500*ms))) // the next answer: 1.5–1.7 s
	w(fd.StreamEvent{Type: fd.EventInterrupt, Timestamp: t0.Add(1600 * ms)})
	require.NoError(t, rec.Close())

	wav := readWAV(t, path)
	require.Equal(t, 2, wav.Channels)
	require.Equal(t, 24000, wav.SampleRate)
	assert.Equal(t, 1700*ms, wav.Duration())
	const L, R = 0, 1
	sameAs(t, 0, 12000, channel(wav, L, 0, 500*ms), "silence before the user spoke")
	sameAs(t, 1000, 2400, channel(wav, L, 500*ms, 600*ms), "the user's words where they were captured")
	sameAs(t, 0, 24000, channel(wav, R, 0, time.Second))
	sameAs(t, 2000, 4800, channel(wav, R, time.Second, 1200*ms), "the answer from its arrival")
	sameAs(t, 3000, 2400, channel(wav, R, 1200*ms, 1300*ms), "queued audio plays after it, up to the cut")
	sameAs(t, 0, 4800, channel(wav, R, 1300*ms, 1500*ms), "nothing after the cut")
	sameAs(t, -1000, 2400, channel(wav, L, 1250*ms, 1350*ms), "the barge-in speech beside the cut")
	sameAs(t, 4000, 4800, channel(wav, R, 1500*ms, 1700*ms))

	b, err := os.ReadFile(filepath.Join(dir, "call.json"))
	require.NoError(t, err)
	var tr record.Transcript
	require.NoError(t, json.Unmarshal(b, &tr), "%s", b)
	assert.Equal(t, t0, tr.Start)
	assert.Equal(t, "call.wav", tr.WAV)
	types := []string{}
	for _, e := range tr.Entries {
		types = append(types, e.Type)
	}
	assert.Equal(t, []string{"text", "turn_end", "barge_in", "turn_end"}, types)
	assert.Equal(t, record.Entry{Type: "text", Role: "user", Text: "hi", T: tr.Entries[0].T}, tr.Entries[0])
	assert.Equal(t, record.Entry{T: 1.1, Type: "turn_end", Turn: 1}, tr.Entries[1])
	assert.Equal(t, record.Entry{T: 1.3, Type: "barge_in"}, tr.Entries[2])
	assert.Equal(t, record.Entry{T: 1.6, Type: "turn_end", Turn: 2, Interrupted: true}, tr.Entries[3])
}

// User audio at 16 kHz is resampled into the 24 kHz file without moving:
// the constant chunk fills its span (to the resampler's edge ripple).
func TestResampledSideKeepsItsOffset(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	c := &clock{now: t0}
	path := filepath.Join(dir, "r.wav")
	rec, err := record.Create(path, record.Config{Clock: c.Now})
	require.NoError(t, err)
	var syms []fd.Symbol
	for i := range 10 { // 200 ms in 20 ms chunks, captured 1.0–1.2 s
		syms = append(syms, audio(8000, 20*ms, 16000, fd.RoleUser, t0.Add(time.Second+time.Duration(i+1)*20*ms)))
	}
	src := rec.Source(fullduplextest.SliceSource(syms...))
	for range syms {
		_, err := src.Next(context.Background())
		require.NoError(t, err)
	}
	require.NoError(t, rec.Close())
	wav := readWAV(t, path)
	sameAs(t, 0, 23880, channel(wav, 0, 0, 995*ms))
	for i, v := range channel(wav, 0, 1010*ms, 1170*ms) {
		require.InDelta(t, 8000, v, 80, "sample %d of the chunk's interior", i)
	}
}

// Both channels and the transcript go to disk as the call goes on: a long
// recording is in the file before Close.
func TestStreamsToDisk(t *testing.T) {
	dir := t.TempDir()
	t0 := time.Now()
	c := &clock{now: t0}
	path := filepath.Join(dir, "long.wav")
	rec, err := record.Create(path, record.Config{Clock: c.Now})
	require.NoError(t, err)
	for i := range 500 { // 10 s of model audio
		require.NoError(t, rec.Write(context.Background(), audio(100, 20*ms, 24000, fd.RoleModel, t0.Add(time.Duration(i)*20*ms))))
	}
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, st.Size(), int64(44+4*24000*10), "10 s of stereo frames on disk before Close")
	require.NoError(t, rec.Close())
	assert.Equal(t, 10*time.Second, readWAV(t, path).Duration())
}

// A Recorder beside the sink of a real session, over the fake stream:
// both sides are recorded, the stream's interrupt is a turn boundary and a
// barge-in in the transcript, and the model's text is gathered per turn.
func TestRecordsASession(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.wav")
	rec, err := record.Create(path, record.Config{})
	require.NoError(t, err)
	fs := fullduplextest.NewFakeStream()
	model := func(s fd.Symbol) fd.Symbol { return s.WithMeta(fd.MetaRole, fd.RoleModel).WithMeta(fd.MetaTurn, 1) }
	fs.EmitAfterInput(model(fd.AudioSymbol(constant(5000, 100*ms, 24000), 24000)), model(fd.TextSymbol("Hel")), model(fd.TextSymbol("lo")),
		fd.NewEvent(fd.EventInterrupt, nil), fd.NewEvent(fd.EventMetrics, fd.TurnMetrics{Turn: 1, TimeToFirstAudio: 250 * ms}))
	user := fd.AudioSymbol(constant(-5000, 100*ms, 16000), 16000).WithMeta(fd.MetaRole, fd.RoleUser)
	session := fd.NewDuplexSession(fs)
	sink := &fullduplextest.Recorder{}
	go func() { _ = fs.WaitInputClosed(context.Background()) }()
	require.NoError(t, session.RunDuplex(context.Background(), rec.Source(fullduplextest.SliceSource(user)), fd.MultiSink(sink, rec)))
	require.NoError(t, rec.Close())
	assert.Equal(t, 1, sink.Flushes(), "the interrupt flushed the MultiSink")

	wav := readWAV(t, path)
	var l, r bool
	for f := range wav.Frames() {
		l = l || wav.Samples[2*f] < -4000
		r = r || wav.Samples[2*f+1] > 4000
	}
	assert.True(t, l, "the user's audio is on the left")
	assert.True(t, r, "the model's audio is on the right")
	b, err := os.ReadFile(filepath.Join(dir, "s.json"))
	require.NoError(t, err)
	var tr record.Transcript
	require.NoError(t, json.Unmarshal(b, &tr), "%s", b)
	require.Len(t, tr.Entries, 4, "%s", b)
	assert.Equal(t, "Hello", tr.Entries[0].Text)
	assert.Equal(t, "model", tr.Entries[0].Role)
	assert.Equal(t, "barge_in", tr.Entries[1].Type)
	assert.Equal(t, "turn_end", tr.Entries[2].Type)
	assert.True(t, tr.Entries[2].Interrupted)
	assert.Equal(t, "metrics", tr.Entries[3].Type)
	assert.Equal(t, 250.0, tr.Entries[3].TimeToFirstAudioMS)
}

// Audio a Recorder cannot place is an error of the recording, not of the
// conversation: Write returns nil, Close reports it.
func TestBadAudioIsReportedByClose(t *testing.T) {
	rec, err := record.Create(filepath.Join(t.TempDir(), "bad.wav"), record.Config{})
	require.NoError(t, err)
	odd := fd.AudioSymbol([]byte{1, 2, 3}, 24000)
	require.NoError(t, rec.Write(context.Background(), odd))
	require.ErrorIs(t, rec.Close(), fd.ErrInvalidSymbol)
	require.ErrorIs(t, rec.Close(), fd.ErrInvalidSymbol, "Close is idempotent")
}
