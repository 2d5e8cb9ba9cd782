package fullduplex_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
)

// speechStopped is a backend's metadata for the end of the user's speech
// that its service's voice detection found.
type speechStopped struct{ at time.Time }

func (s speechStopped) InputEnd() time.Time { return s.at }

// Under server-side voice detection nothing on the client ends the input:
// the end of speech the stream reports is the turn's InputEnd, so time to
// first audio and to first audio played are measured; it belongs to the
// next answer only, and an input the client ended comes first.
func TestMetricsMeasureFromTheReportedEndOfSpeech(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	clock := scripttest.NewClock(t0)
	spk := &scripttest.Speaker{}
	fs := fullduplextest.NewFakeStream()
	session := fd.NewDuplexSession(fs)
	session.Metrics = &fd.MetricsConfig{Clock: clock.Now, PlaybackPoll: time.Millisecond}
	src := make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, spk) }()
	require.NoError(t, fs.WaitConnected(ctx))

	// Turn 1: the user spoke until t0 (the service says so 600 ms later);
	// the answer's audio comes at 700 ms and plays from 800 ms.
	src <- fd.AudioSymbol(make([]byte, 640), 16000)
	_, err := fs.WaitSent(ctx, 1)
	require.NoError(t, err)
	fs.Emit(scripttest.Event(fd.EventMetadata, speechStopped{t0}, t0.Add(600*ms)), scripttest.ModelAudio(1, 200, t0.Add(700*ms)))
	n := len(spk.WaitItems(t, 2))
	clock.Set(t0.Add(900 * ms))
	spk.SetPlayed(1, 100*ms)
	fs.Emit(scripttest.ModelAudio(1, 200, t0.Add(900*ms)))
	spk.WaitItems(t, n+1)
	spk.SetPlayed(1, 400*ms)
	fs.Emit(scripttest.Event(fd.EventStreamEnd, nil, t0.Add(950*ms)))
	ev, n := spk.WaitEvent(t, n, fd.EventMetrics)
	m1 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, t0, m1.InputEnd)
	assert.Equal(t, 700*ms, m1.TimeToFirstAudio)
	assert.Equal(t, 800*ms, m1.TimeToFirstPlayed)

	// Turn 2 answers a typed line: its end counts, not the speech end
	// reported before it; turn 3 has neither.
	t1 := t0.Add(2 * time.Second)
	fs.Emit(scripttest.Event(fd.EventMetadata, speechStopped{t1.Add(-time.Second)}, t1.Add(-500*ms)))
	_, n = spk.WaitEvent(t, n, fd.EventMetadata)
	src <- scripttest.At(fd.TextSymbol("hi"), t1)
	_, err = fs.WaitSent(ctx, 2)
	require.NoError(t, err)
	fs.Emit(scripttest.Model(fd.TextSymbol("Hello"), t1.Add(100*ms)), scripttest.Event(fd.EventStreamEnd, nil, t1.Add(200*ms)))
	ev, n = spk.WaitEvent(t, n, fd.EventMetrics)
	m2 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, t1, m2.InputEnd, "the typed line ended the input")
	fs.Emit(scripttest.Model(fd.TextSymbol("More"), t1.Add(time.Second)), scripttest.Event(fd.EventStreamEnd, nil, t1.Add(1100*ms)))
	ev, _ = spk.WaitEvent(t, n, fd.EventMetrics)
	assert.Zero(t, ev.Data.(fd.TurnMetrics).InputEnd, "a speech end is taken by one answer only")

	close(src)
	require.NoError(t, <-done)
}
