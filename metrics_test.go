package fullduplex_test

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
)

var (
	at    = scripttest.At
	event = scripttest.Event
)

func modelText(text string, t time.Time) fd.Symbol { return scripttest.Model(fd.TextSymbol(text), t) }

// 200 ms of model audio of turn at 24 kHz.
func modelChunk(turn int, t time.Time) fd.Symbol { return scripttest.ModelAudio(turn, 200, t) }

// lostAt is the Data of an EventReconnect whose switch began at its time.
type lostAt time.Time

func (l lostAt) ReconnectBegan() time.Time { return time.Time(l) }

func newScriptSpeaker(c *scripttest.Clock, flushCost time.Duration) *scripttest.Speaker {
	return &scripttest.Speaker{Sink: scripttest.Sink{Clock: c, FlushCost: flushCost}}
}

// Every metric of a scripted conversation equals the delays the script
// put in: the symbols and events carry scripted Timestamps, the session's
// own observations read a scripted clock, and the speaker's Flush costs
// 30 ms on that clock.
func TestMetricsEqualScriptedDelays(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	ms := time.Millisecond
	clock := scripttest.NewClock(t0)
	spk := newScriptSpeaker(clock, 30*ms)
	fs := fullduplextest.NewFakeStream()
	release := make(chan struct{})
	started := make(chan struct{})
	session := fd.NewDuplexSession(fs)
	require.NoError(t, session.AddTool(fd.Tool{Name: "lookup", Handler: func(ctx context.Context, _ map[string]any) (any, error) {
		close(started)
		<-release
		return "found", nil
	}}))
	session.Metrics = &fd.MetricsConfig{
		Clock:        clock.Now,
		PlaybackPoll: time.Millisecond,
		Prices: fd.Prices{
			Input:  map[fd.Modality]float64{fd.ModalityAudio: 10, fd.ModalityText: 1},
			Output: map[fd.Modality]float64{fd.ModalityAudio: 20},
		},
	}
	src := make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, spk) }()
	require.NoError(t, fs.WaitConnected(ctx))

	// Turn 1: a typed line; the first model symbol 120 ms later, the first
	// audio at 300 ms, playing from 400 ms; played out at 1 s.
	src <- at(fd.TextSymbol("hi"), t0)
	_, err := fs.WaitSent(ctx, 1)
	require.NoError(t, err)
	userTranscript := at(fd.TextSymbol("hi").WithMeta(fd.MetaRole, fd.RoleUser), t0.Add(50*ms))
	fs.Emit(userTranscript, modelText("Hello", t0.Add(120*ms)), modelChunk(1, t0.Add(300*ms)))
	n := len(spk.WaitItems(t, 3))
	clock.Set(t0.Add(500 * ms))
	spk.SetPlayed(1, 100*ms) // so playback began at 400 ms
	fs.Emit(modelChunk(1, t0.Add(400*ms)))
	spk.WaitItems(t, n+1)
	usage := fd.Usage{InputTokens: 100, OutputTokens: 50,
		InputByModality:  map[fd.Modality]int{fd.ModalityAudio: 80, fd.ModalityText: 20},
		OutputByModality: map[fd.Modality]int{fd.ModalityAudio: 50}}
	fs.Emit(event(fd.EventUsage, usage, t0.Add(550*ms)), event(fd.EventStreamEnd, nil, t0.Add(600*ms)))
	_, n = spk.WaitEvent(t, n, fd.EventStreamEnd)
	clock.Set(t0.Add(time.Second))
	spk.SetPlayed(1, 400*ms) // all of it
	ev, n := spk.WaitEvent(t, n, fd.EventMetrics)
	m1 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, 1, m1.Turn)
	assert.Equal(t, t0, m1.InputEnd)
	assert.Equal(t, 120*ms, m1.TimeToFirstSymbol)
	assert.Equal(t, 300*ms, m1.TimeToFirstAudio)
	assert.Equal(t, 400*ms, m1.TimeToFirstPlayed)
	assert.Equal(t, 400*ms, m1.AudioOut)
	assert.Equal(t, 400*ms, m1.Played)
	assert.Equal(t, t0.Add(600*ms), m1.End)
	assert.Equal(t, t0.Add(time.Second), m1.Done, "measured until the audio had played out")
	assert.False(t, m1.Interrupted)
	assert.Zero(t, m1.BargeIn)
	assert.Equal(t, usage, m1.Usage)
	cost1 := (80*10 + 20*1 + 50*20) / 1e6
	assert.InDelta(t, cost1, m1.Cost, 1e-15)
	assert.InDelta(t, cost1, m1.Conversation.Cost, 1e-15)

	// Turn 2: speech ended by SendEnd at t1; audio 250 ms later; the
	// stream cuts it (server barge-in) at 900 ms; the flush takes 30 ms.
	t1 := t0.Add(2 * time.Second)
	src <- fd.AudioSymbol(make([]byte, 640), 16000)
	src <- fd.AudioSymbol(make([]byte, 640), 16000)
	_, err = fs.WaitSent(ctx, 3)
	require.NoError(t, err)
	clock.Set(t1)
	require.NoError(t, session.SendEnd(ctx))
	fs.Emit(modelChunk(2, t1.Add(250*ms)))
	n = len(spk.WaitItems(t, n+1))
	clock.Set(t1.Add(900 * ms))
	fs.Emit(event(fd.EventInterrupt, nil, t1.Add(900*ms)))
	ev, n = spk.WaitEvent(t, n, fd.EventMetrics)
	m2 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, 2, m2.Turn)
	assert.Equal(t, t1, m2.InputEnd)
	assert.Equal(t, 250*ms, m2.TimeToFirstSymbol)
	assert.Equal(t, 250*ms, m2.TimeToFirstAudio)
	assert.Zero(t, m2.TimeToFirstPlayed, "nothing played before the cut")
	assert.True(t, m2.Interrupted)
	assert.Equal(t, fd.BargeIn{At: t1.Add(900 * ms), Silent: t1.Add(930 * ms)}, m2.BargeIn)
	assert.Equal(t, 30*ms, m2.BargeIn.ToSilence())

	// Turn 3: a typed line at t2; its audio is all received, then the user
	// cuts it while it plays (client barge-in) at 1 s.
	t2 := t0.Add(4 * time.Second)
	src <- at(fd.TextSymbol("tell me more"), t2)
	_, err = fs.WaitSent(ctx, 4)
	require.NoError(t, err)
	fs.Emit(modelChunk(3, t2.Add(200*ms)), event(fd.EventStreamEnd, nil, t2.Add(400*ms)))
	_, n = spk.WaitEvent(t, n, fd.EventStreamEnd)
	clock.Set(t2.Add(time.Second))
	session.Interrupt()
	ev, n = spk.WaitEvent(t, n, fd.EventMetrics)
	m3 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, 3, m3.Turn)
	assert.Equal(t, 200*ms, m3.TimeToFirstAudio)
	assert.False(t, m3.Interrupted, "its terminator had come; the cut silenced its playback")
	assert.Equal(t, fd.BargeIn{At: t2.Add(time.Second), Silent: t2.Add(1030 * ms), Client: true}, m3.BargeIn)
	assert.Equal(t, t2.Add(1030*ms), m3.Done)

	// Turn 4: a tool call answered 2 s later, then a connection lost at
	// 3.5 s, up again at 4 s, its first item at 4.1 s.
	t3 := t0.Add(6 * time.Second)
	fs.Emit(event(fd.EventToolCall, fd.ToolCall{ID: "c1", Name: "lookup"}, t3))
	<-started
	clock.Set(t3.Add(2 * time.Second))
	close(release)
	require.NoError(t, fs.WaitResults(ctx, 1))
	fs.Emit(modelText("It is found.", t3.Add(2500*ms)), event(fd.EventReconnect, lostAt(t3.Add(3500*ms)), t3.Add(4*time.Second)),
		modelText(" Anything else?", t3.Add(4100*ms)), event(fd.EventStreamEnd, nil, t3.Add(4200*ms)))
	ev, _ = spk.WaitEvent(t, n, fd.EventMetrics)
	m4 := ev.Data.(fd.TurnMetrics)
	assert.Equal(t, 4, m4.Turn)
	assert.Zero(t, m4.InputEnd, "no input of the user's left to answer")
	require.Len(t, m4.Tools, 1)
	assert.Equal(t, fd.ToolMetrics{ID: "c1", Name: "lookup", Called: t3, Answered: t3.Add(2 * time.Second)}, m4.Tools[0])
	assert.Equal(t, 2*time.Second, m4.Tools[0].Duration())
	assert.Equal(t, []fd.ReconnectMetrics{{At: t3.Add(4 * time.Second), Began: t3.Add(3500 * ms), First: t3.Add(4100 * ms), Gap: 600 * ms}}, m4.Reconnects)
	assert.Equal(t, 500*ms, m4.Reconnects[0].Down())
	assert.Equal(t, t3.Add(2500*ms), m4.FirstSymbol)

	// The end: the summary is the last item.
	clock.Set(t0.Add(10 * time.Second))
	close(src)
	require.NoError(t, <-done)
	items := spk.WaitItems(t, 0)
	last := items[len(items)-1].(fd.StreamEvent)
	require.Equal(t, fd.EventSummary, last.Type)
	sum := last.Data.(fd.ConversationMetrics)
	assert.Equal(t, fd.ConversationMetrics{Start: t0, End: t0.Add(10 * time.Second), Turns: 4, Interrupted: 1,
		BargeIns: 2, ToolCalls: 1, Reconnects: 1, Usage: usage, Cost: sum.Cost,
		Tools: map[string]fd.ToolTotals{"lookup": {Calls: 1, Total: 2 * time.Second, Max: 2 * time.Second}}}, sum)
	assert.InDelta(t, cost1, sum.Cost, 1e-15)
	metrics := 0
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventMetrics {
			metrics++
		}
	}
	assert.Equal(t, 4, metrics, "one EventMetrics per turn")
}

// Without Metrics the session delivers no EventMetrics and no EventSummary.
func TestNoMetricsByDefault(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	fs.EmitAfterInput(modelChunk(1, time.Now()), fd.NewEvent(fd.EventStreamEnd, nil))
	rec := &fullduplextest.Recorder{}
	err := fd.NewDuplexSession(fs).RunDuplex(context.Background(), fullduplextest.SliceSource(fd.TextSymbol("hi")), rec)
	require.NoError(t, err)
	assert.Equal(t, []fd.EventType{fd.EventStreamEnd}, rec.Events())
}

// A turn the run ends in the middle of still counts its tokens in the
// summary; a receiver that reports no playback gets each turn's metrics
// right after its terminator.
func TestMetricsSummaryCountsAnOpenTurn(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	fs.Emit(modelText("a", time.Now()), fd.NewEvent(fd.EventStreamEnd, nil),
		fd.NewEvent(fd.EventUsage, fd.Usage{InputTokens: 1000, OutputTokens: 2000}))
	fs.End()
	rec := &fullduplextest.Recorder{}
	session := fd.NewDuplexSession(fs)
	session.Metrics = &fd.MetricsConfig{Prices: fd.Prices{Input: map[fd.Modality]float64{"": 2}, Output: map[fd.Modality]float64{"": 8}}}
	require.NoError(t, session.RunDuplex(context.Background(), nil, rec))
	assert.Equal(t, []fd.EventType{fd.EventStreamEnd, fd.EventMetrics, fd.EventUsage, fd.EventSummary}, rec.Events())
	items := rec.Items()
	sum := items[len(items)-1].(fd.StreamEvent).Data.(fd.ConversationMetrics)
	assert.Equal(t, 1, sum.Turns)
	assert.InDelta(t, (1000*2+2000*8)/1e6, sum.Cost, 1e-15)
}

func TestPricesCost(t *testing.T) {
	p := fd.Prices{
		Input:       map[fd.Modality]float64{"": 1, fd.ModalityAudio: 40},
		CachedInput: map[fd.Modality]float64{fd.ModalityAudio: 4},
		Output:      map[fd.Modality]float64{"": 2, fd.ModalityAudio: 80},
	}
	tests := []struct {
		name string
		u    fd.Usage
		want float64
	}{
		{"totals only", fd.Usage{InputTokens: 1e6, OutputTokens: 1e6}, 1 + 2},
		{"cached totals priced as input without a cached price", fd.Usage{InputTokens: 1e6, CachedTokens: 5e5}, 1},
		{"per modality", fd.Usage{InputTokens: 3e6, OutputTokens: 1e6,
			InputByModality:  map[fd.Modality]int{fd.ModalityAudio: 2e6, fd.ModalityText: 1e6},
			CachedByModality: map[fd.Modality]int{fd.ModalityAudio: 1e6},
			OutputByModality: map[fd.Modality]int{fd.ModalityAudio: 1e6}}, 40 + 4 + 1 + 80},
		{"nothing", fd.Usage{}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.InDelta(t, tt.want, p.Cost(tt.u), 1e-12) })
	}
	assert.Zero(t, fd.Prices{}.Cost(fd.Usage{InputTokens: 5, OutputTokens: 5}))
}

// TurnMetrics logs as a group of measurements, through any slog handler.
func TestTurnMetricsLogValue(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, nil))
	t0 := time.Now()
	m := fd.TurnMetrics{Turn: 2, TimeToFirstAudio: 640 * time.Millisecond, Interrupted: true, ServerInputEnd: true,
		BargeIn: fd.BargeIn{At: t0, Silent: t0.Add(12 * time.Millisecond), Client: true},
		Tools:   []fd.ToolMetrics{{Name: "lookup", Called: t0, Answered: t0.Add(time.Second)}},
		Usage:   fd.Usage{InputTokens: 10, OutputTokens: 20, OutputByModality: map[fd.Modality]int{fd.ModalityAudio: 20}},
		Cost:    0.5, Conversation: fd.ConversationMetrics{Cost: 1.5}}
	logger.Info("turn", "metrics", m)
	out := buf.String()
	for _, want := range []string{"metrics.turn=2", "metrics.time_to_first_audio=640ms", "metrics.input_end_server=true", "metrics.interrupted=true",
		"metrics.barge_in=client", "metrics.barge_in_to_silence=12ms", "metrics.tool.name=lookup", "metrics.tool.duration=1s",
		"metrics.tokens_in=10", "metrics.tokens_out=20", "metrics.tokens_out_audio=20", "metrics.cost=0.5", "metrics.total_cost=1.5"} {
		assert.Contains(t, out, want)
	}
	assert.NotContains(t, out, "time_to_first_symbol", "values not measured are left out")

	buf.Reset()
	logger.Info("call", "summary", fd.ConversationMetrics{Start: t0, End: t0.Add(time.Minute), Turns: 3, Cost: 0.25, ReconnectCuts: 1,
		Tools: map[string]fd.ToolTotals{"lookup": {Calls: 2, Total: 3 * time.Second, Max: 2 * time.Second}}})
	assert.Contains(t, buf.String(), "summary.duration=1m0s summary.turns=3")
	assert.Contains(t, buf.String(), "summary.reconnect_cuts=1")
	assert.Contains(t, buf.String(), "summary.tool.name=lookup summary.tool.calls=2 summary.tool.failed=0 summary.tool.total=3s summary.tool.max=2s")
	assert.Contains(t, buf.String(), "summary.cost=0.25")
}
