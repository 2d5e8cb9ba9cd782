package fullduplex_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
)

const ms = time.Millisecond

var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

// meteredRun starts RunDuplex over a FakeStream with Metrics on a scripted
// clock at t0, delivering to sink; stop ends it and returns its error.
func meteredRun(t *testing.T, sink fd.Sink) (fs *fullduplextest.FakeStream, src scripttest.Source, session *fd.DuplexSession, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	clock := scripttest.NewClock(t0)
	fs = fullduplextest.NewFakeStream()
	session = fd.NewDuplexSession(fs)
	session.Metrics = &fd.MetricsConfig{Clock: clock.Now, PlaybackPoll: time.Millisecond}
	src = make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, sink) }()
	require.NoError(t, fs.WaitConnected(ctx))
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			close(src)
			runErr = <-done
			cancel()
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return fs, src, session, stop
}

// sendUserAudio sends a chunk of the user's audio and waits until the
// stream has it.
func sendUserAudio(t *testing.T, fs *fullduplextest.FakeStream, src scripttest.Source) {
	t.Helper()
	src <- fd.AudioSymbol(make([]byte, 640), 16000)
	_, err := fs.WaitSent(t.Context(), 1)
	require.NoError(t, err)
}

// speechEnd is a backend's report that its voice detection heard the user
// stop speaking, at a moment it cannot date (the report's Timestamp counts).
type speechEnd struct{}

func (speechEnd) InputEnd() time.Time { return time.Time{} }

// When the service's voice detection ends the user's turn (the client
// never calls SendEnd), time to first symbol and audio are measured from
// what the backend reported: a final user transcript that came before the
// answer.
func TestMetricsOfAServerEndedTurnFromTheTranscript(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, src, _, _ := meteredRun(t, sink)
	sendUserAudio(t, fs, src)
	fs.Emit(scripttest.UserTranscript("what time is it", t0.Add(700*ms)),
		scripttest.Model(fd.TextSymbol("It is"), t0.Add(900*ms)), scripttest.ModelAudio(1, 200, t0.Add(1000*ms)),
		scripttest.Event(fd.EventStreamEnd, nil, t0.Add(1200*ms)))
	m, _ := sink.WaitMetrics(t, 0)
	assert.Equal(t, t0.Add(700*ms), m.InputEnd)
	assert.Equal(t, 200*ms, m.TimeToFirstSymbol)
	assert.Equal(t, 300*ms, m.TimeToFirstAudio)
}

// An InputEnder report is preferred to a later transcript; a transcript
// of the user that arrives while the model answers belongs to no turn;
// with neither, the time to first audio stays unmeasured.
func TestMetricsOfServerEndedTurnsFromSpeechEnd(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, src, _, _ := meteredRun(t, sink)
	sendUserAudio(t, fs, src)

	t1 := t0.Add(time.Second)
	fs.Emit(scripttest.Event(fd.EventMetadata, speechEnd{}, t1), scripttest.UserTranscript("hi", t1.Add(200*ms)),
		scripttest.ModelAudio(1, 200, t1.Add(450*ms)),
		scripttest.UserTranscript("late words", t1.Add(500*ms)), // during the answer
		scripttest.Event(fd.EventStreamEnd, nil, t1.Add(600*ms)))
	m1, n := sink.WaitMetrics(t, 0)
	assert.Equal(t, t1, m1.InputEnd, "from the speech end, not the transcript after it")
	assert.True(t, m1.ServerInputEnd)
	assert.Equal(t, 450*ms, m1.TimeToFirstAudio)

	fs.Emit(scripttest.ModelAudio(2, 200, t1.Add(2*time.Second)), scripttest.Event(fd.EventStreamEnd, nil, t1.Add(3*time.Second)))
	m2, _ := sink.WaitMetrics(t, n)
	assert.Zero(t, m2.InputEnd, "the late transcript ended no input")
	assert.False(t, m2.ServerInputEnd)
	assert.Zero(t, m2.TimeToFirstAudio)
}

// A client's SendEnd is the input end even when the backend reports the
// speech end too.
func TestMetricsPreferTheClientsInputEnd(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, src, session, _ := meteredRun(t, sink)
	sendUserAudio(t, fs, src)
	require.NoError(t, session.SendEnd(t.Context())) // at t0 on the scripted clock
	fs.Emit(scripttest.Event(fd.EventMetadata, speechEnd{}, t0.Add(100*ms)), scripttest.ModelAudio(1, 200, t0.Add(400*ms)),
		scripttest.Event(fd.EventStreamEnd, nil, t0.Add(600*ms)))
	m, _ := sink.WaitMetrics(t, 0)
	assert.Equal(t, t0, m.InputEnd)
	assert.False(t, m.ServerInputEnd)
	assert.Equal(t, 400*ms, m.TimeToFirstAudio)
}

// A reconnect's gap runs from when the switch began to the first model item
// of the new connection, not from the last item before it: the old
// connection may have been quiet long before it broke. Without a
// ReconnectReport the switch began at the EventReconnect.
func TestMetricsReconnectGap(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, _, _, stop := meteredRun(t, sink)
	fs.Emit(scripttest.Model(fd.TextSymbol("a"), t0.Add(100*ms)),
		scripttest.Event(fd.EventReconnect, nil, t0.Add(5*time.Second)),
		scripttest.Event(fd.EventMetadata, "resumption handle", t0.Add(5100*ms)), // no model item
		scripttest.ModelAudio(1, 200, t0.Add(5300*ms)),
		scripttest.Event(fd.EventReconnect, lostAt(t0.Add(9*time.Second)), t0.Add(10*time.Second)),
		scripttest.Event(fd.EventStreamEnd, nil, t0.Add(10200*ms)),
		scripttest.Event(fd.EventReconnect, lostAt(t0.Add(20*time.Second)), t0.Add(21*time.Second))) // nothing after it
	m, _ := sink.WaitMetrics(t, 0)
	require.Len(t, m.Reconnects, 2)
	assert.Equal(t, 300*ms, m.Reconnects[0].Gap)
	assert.Equal(t, fd.ReconnectMetrics{At: t0.Add(10 * time.Second), Began: t0.Add(9 * time.Second), First: t0.Add(10200 * ms), Gap: 1200 * ms}, m.Reconnects[1])
	require.NoError(t, stop())
	assert.Equal(t, 3, sink.Summary(t).Reconnects)
}

// A turn that OpenAI (or any backend) cuts because its connection broke is
// interrupted but is no barge-in; the service's cut of the next turn is.
func TestMetricsReconnectCutIsNoBargeIn(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, _, _, stop := meteredRun(t, sink)
	fs.Emit(scripttest.ModelAudio(1, 200, t0.Add(100*ms)),
		scripttest.Event(fd.EventInterrupt, fd.TurnEnd{Turn: 1, Reason: "reconnect"}, t0.Add(300*ms)),
		scripttest.Event(fd.EventReconnect, nil, t0.Add(time.Second)))
	m1, n := sink.WaitMetrics(t, 0)
	assert.True(t, m1.Interrupted)
	assert.Zero(t, m1.BargeIn, "no user cut it")
	fs.Emit(scripttest.ModelAudio(2, 200, t0.Add(2*time.Second)),
		scripttest.Event(fd.EventInterrupt, fd.TurnEnd{Turn: 2}, t0.Add(2200*ms)))
	m2, _ := sink.WaitMetrics(t, n)
	assert.Equal(t, t0.Add(2200*ms), m2.BargeIn.At)
	require.NoError(t, stop())
	sum := sink.Summary(t)
	assert.Equal(t, 1, sum.BargeIns)
	assert.Equal(t, 2, sum.Interrupted)
}

// The reconnect cut is counted on its own.
func TestMetricsCountReconnectCuts(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, _, _, stop := meteredRun(t, sink)
	fs.Emit(scripttest.ModelAudio(1, 200, t0.Add(100*ms)),
		scripttest.Event(fd.EventInterrupt, fd.TurnEnd{Turn: 1, Reason: fd.ReasonReconnect}, t0.Add(300*ms)))
	m, _ := sink.WaitMetrics(t, 0)
	assert.True(t, m.ReconnectCut)
	require.NoError(t, stop())
	sum := sink.Summary(t)
	assert.Equal(t, 1, sum.ReconnectCuts)
	assert.Zero(t, sum.BargeIns)
}

// Interrupt while no model turn is received or played cuts nothing: it is
// no barge-in, and the next turn, which nobody cut, has none.
func TestMetricsInterruptOfNothingIsNoBargeIn(t *testing.T) {
	sink := &scripttest.Sink{}
	fs, _, session, stop := meteredRun(t, sink)
	session.Interrupt()
	fs.Emit(scripttest.ModelAudio(1, 200, t0.Add(time.Second)), scripttest.Event(fd.EventStreamEnd, nil, t0.Add(1200*ms)))
	m, _ := sink.WaitMetrics(t, 0)
	assert.Zero(t, m.BargeIn)
	require.NoError(t, stop())
	assert.Zero(t, sink.Summary(t).BargeIns)
}

// Time to first audio played works with any receiver that reports
// playback, here fullduplextest.FakeSpeaker inside a MultiSink.
func TestMetricsFirstPlayedFromAnyPlaybackReporter(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	clock := scripttest.NewClock(t0)
	spk := &fullduplextest.FakeSpeaker{}
	sink := &scripttest.Sink{}
	fs := fullduplextest.NewFakeStream()
	session := fd.NewDuplexSession(fs)
	session.Metrics = &fd.MetricsConfig{Clock: clock.Now, PlaybackPoll: time.Millisecond}
	src := make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, fd.MultiSink(sink, spk)) }()
	src <- scripttest.At(fd.TextSymbol("hi"), t0)
	_, err := fs.WaitSent(ctx, 1)
	require.NoError(t, err)
	fs.Emit(scripttest.ModelAudio(7, 200, t0.Add(300*ms)))
	sink.WaitItems(t, 1)
	clock.Set(t0.Add(600 * ms))
	spk.SetPlayed(7, 100*ms) // began at 500 ms
	fs.Emit(scripttest.ModelAudio(7, 200, t0.Add(500*ms)), scripttest.Event(fd.EventStreamEnd, nil, t0.Add(700*ms)))
	sink.WaitItems(t, 3)
	clock.Set(t0.Add(time.Second))
	spk.SetPlayed(7, 400*ms)
	m, _ := sink.WaitMetrics(t, 0)
	assert.Equal(t, 500*ms, m.TimeToFirstPlayed)
	assert.Equal(t, 400*ms, m.Played)
	assert.Equal(t, t0.Add(time.Second), m.Done)
	close(src)
	require.NoError(t, <-done)
}
