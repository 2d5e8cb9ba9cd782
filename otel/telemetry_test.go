package otel_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
	fdotel "github.com/fullduplex-go/fullduplex/otel"
)

var (
	at    = scripttest.At
	model = scripttest.Model
	event = scripttest.Event
)

const ms = time.Millisecond

// lostAt is the Data of an EventReconnect whose switch began at its time.
type lostAt time.Time

func (l lostAt) ReconnectBegan() time.Time { return time.Time(l) }

// A scripted conversation of two turns, over a real session, comes out as
// one conversation span holding two turn spans with the scripted times, a
// tool span and a reconnect span under the second turn, and the
// histograms and counters hold the scripted values.
func TestSpansAndMetricsOfAConversation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	backend := attribute.String("fullduplex.backend", "fake")
	tel, err := fdotel.New(fdotel.Config{TracerProvider: tp, MeterProvider: mp, Attributes: []attribute.KeyValue{backend}})
	require.NoError(t, err)

	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := scripttest.NewClock(t0)
	fs := fullduplextest.NewFakeStream()
	session := fd.NewDuplexSession(fs)
	require.NoError(t, session.AddTool(fd.Tool{Name: "weather", Handler: func(context.Context, map[string]any) (any, error) {
		c.Set(t0.Add(2500 * ms)) // answered 400 ms after the call
		return "sunny", nil
	}}))
	session.Metrics = &fd.MetricsConfig{Clock: c.Now, Prices: fd.Prices{Input: map[fd.Modality]float64{"": 1}, Output: map[fd.Modality]float64{"": 4}}}
	sink := &scripttest.Sink{Clock: c, FlushCost: 40 * ms}
	src := make(scripttest.Source)
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, src, fd.MultiSink(sink, tel)) }()

	// Turn 1: first symbol after 100 ms, first audio after 300 ms.
	src <- at(fd.TextSymbol("hello"), t0)
	_, err = fs.WaitSent(ctx, 1)
	require.NoError(t, err)
	fs.Emit(model(fd.TextSymbol("Hi"), t0.Add(100*ms)), model(fd.AudioSymbol(make([]byte, 4800), 24000), t0.Add(300*ms)),
		event(fd.EventUsage, fd.Usage{InputTokens: 100, OutputTokens: 200,
			InputByModality:  map[fd.Modality]int{fd.ModalityAudio: 60, fd.ModalityText: 40},
			OutputByModality: map[fd.Modality]int{fd.ModalityAudio: 200}}, t0.Add(700*ms)),
		event(fd.EventStreamEnd, nil, t0.Add(800*ms)))
	_, n := sink.WaitEvent(t, 0, fd.EventMetrics)

	// Turn 2: a tool call 100 ms after the input, answered in 400 ms; the
	// connection lost at 800 ms, up at 1 s, its first item (audio) 1.2 s
	// after the input; cut by the stream at 1.5 s, silent 40 ms later.
	t1 := t0.Add(2 * time.Second)
	src <- at(fd.TextSymbol("weather?"), t1)
	_, err = fs.WaitSent(ctx, 2)
	require.NoError(t, err)
	fs.Emit(event(fd.EventToolCall, fd.ToolCall{ID: "call-1", Name: "weather"}, t1.Add(100*ms)))
	require.NoError(t, fs.WaitResults(ctx, 1))
	c.Set(t1.Add(1500 * ms))
	fs.Emit(model(fd.TextSymbol("Sunny"), t1.Add(600*ms)), event(fd.EventReconnect, lostAt(t1.Add(800*ms)), t1.Add(time.Second)),
		model(fd.AudioSymbol(make([]byte, 4800), 24000), t1.Add(1200*ms)), event(fd.EventInterrupt, nil, t1.Add(1500*ms)))
	sink.WaitEvent(t, n, fd.EventMetrics)
	c.Set(t0.Add(5 * time.Second))
	close(src)
	require.NoError(t, <-done)

	// Traces.
	ended := spans.Ended()
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range ended {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	require.Len(t, byName["fullduplex.conversation"], 1)
	require.Len(t, byName["fullduplex.turn"], 2)
	require.Len(t, byName["fullduplex.tool"], 1)
	require.Len(t, byName["fullduplex.reconnect"], 1)
	conv := byName["fullduplex.conversation"][0]
	assert.Equal(t, t0, conv.StartTime())
	assert.Equal(t, t0.Add(5*time.Second), conv.EndTime())
	assert.Contains(t, conv.Attributes(), backend)
	assert.Contains(t, conv.Attributes(), attribute.Int("fullduplex.turns", 2))
	assert.Contains(t, conv.Attributes(), attribute.Float64("fullduplex.cost", (100*1+200*4)/1e6))
	turn1, turn2 := byName["fullduplex.turn"][0], byName["fullduplex.turn"][1]
	for _, s := range []sdktrace.ReadOnlySpan{turn1, turn2} {
		assert.Equal(t, conv.SpanContext().SpanID(), s.Parent().SpanID(), "a turn is a child of the conversation")
		assert.Equal(t, conv.SpanContext().TraceID(), s.SpanContext().TraceID())
	}
	assert.Equal(t, t0, turn1.StartTime(), "from the end of the input")
	assert.Equal(t, t0.Add(800*ms), turn1.EndTime())
	assert.Contains(t, turn1.Attributes(), attribute.Float64("fullduplex.time_to_first_audio", 0.3))
	assert.Contains(t, turn1.Attributes(), attribute.Float64("fullduplex.time_to_first_symbol", 0.1))
	assert.Equal(t, []string{"input_end", "first_symbol", "first_audio", "end"}, eventNames(turn1))
	assert.Equal(t, t1, turn2.StartTime())
	assert.Equal(t, t1.Add(1540*ms), turn2.EndTime(), "until the sink was silent")
	assert.Contains(t, turn2.Attributes(), attribute.Bool("fullduplex.interrupted", true))
	assert.Equal(t, []string{"input_end", "first_symbol", "first_audio", "barge_in", "silence", "end"}, eventNames(turn2))
	tool := byName["fullduplex.tool"][0]
	assert.Equal(t, turn2.SpanContext().SpanID(), tool.Parent().SpanID())
	assert.Equal(t, t1.Add(100*ms), tool.StartTime())
	assert.Equal(t, t1.Add(500*ms), tool.EndTime())
	assert.Contains(t, tool.Attributes(), attribute.String("fullduplex.tool.name", "weather"))
	rc := byName["fullduplex.reconnect"][0]
	assert.Equal(t, turn2.SpanContext().SpanID(), rc.Parent().SpanID())
	assert.Equal(t, t1.Add(800*ms), rc.StartTime(), "from the connection lost")
	assert.Equal(t, t1.Add(1200*ms), rc.EndTime(), "to the new connection's first item")
	assert.Equal(t, []string{"connected"}, eventNames(rc))

	// Metrics.
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	ttfa := histogram(t, rm, "fullduplex.turn.time_to_first_audio")
	require.Len(t, ttfa, 1, "one series: received audio (the sink reports no playback)")
	assert.Equal(t, uint64(2), ttfa[0].Count)
	assert.InDelta(t, 0.3+1.2, ttfa[0].Sum, 1e-9)
	hasAttr(t, ttfa[0].Attributes, attribute.Bool("fullduplex.audio.played", false))
	hasAttr(t, ttfa[0].Attributes, backend)
	silence := histogram(t, rm, "fullduplex.barge_in.time_to_silence")
	require.Len(t, silence, 1)
	assert.Equal(t, uint64(1), silence[0].Count)
	assert.InDelta(t, 0.04, silence[0].Sum, 1e-9)
	hasAttr(t, silence[0].Attributes, attribute.String("fullduplex.barge_in.source", "server"))
	toolDur := histogram(t, rm, "fullduplex.tool.duration")
	require.Len(t, toolDur, 1)
	assert.InDelta(t, 0.4, toolDur[0].Sum, 1e-9)
	assert.Equal(t, map[string]int64{"": 1}, counter(t, rm, "fullduplex.interrupts", ""))
	assert.Equal(t, map[string]int64{"": 1}, counter(t, rm, "fullduplex.reconnects", ""))
	assert.Equal(t, map[string]int64{"input/audio": 60, "input/text": 40, "output/audio": 200}, counter(t, rm, "fullduplex.tokens", "tokens"))
}

func eventNames(s sdktrace.ReadOnlySpan) []string {
	var names []string
	for _, e := range s.Events() {
		names = append(names, e.Name)
	}
	return names
}

func find(t *testing.T, rm metricdata.ResourceMetrics, name string) metricdata.Metrics {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name == name {
				return m
			}
		}
	}
	t.Fatalf("no metric %s", name)
	return metricdata.Metrics{}
}

func histogram(t *testing.T, rm metricdata.ResourceMetrics, name string) []metricdata.HistogramDataPoint[float64] {
	t.Helper()
	h, ok := find(t, rm, name).Data.(metricdata.Histogram[float64])
	require.True(t, ok, "%s is a float histogram", name)
	return h.DataPoints
}

// counter returns the sums of an int counter by series: "" for a single
// series, "direction/modality" for tokens.
func counter(t *testing.T, rm metricdata.ResourceMetrics, name, kind string) map[string]int64 {
	t.Helper()
	s, ok := find(t, rm, name).Data.(metricdata.Sum[int64])
	require.True(t, ok, "%s is an int sum", name)
	out := map[string]int64{}
	for _, dp := range s.DataPoints {
		key := ""
		if kind == "tokens" {
			d, _ := dp.Attributes.Value("fullduplex.tokens.direction")
			m, _ := dp.Attributes.Value("fullduplex.modality")
			key = d.AsString() + "/" + m.AsString()
		}
		out[key] += dp.Value
	}
	return out
}

func hasAttr(t *testing.T, set attribute.Set, kv attribute.KeyValue) {
	t.Helper()
	v, ok := set.Value(kv.Key)
	assert.True(t, ok && v == kv.Value, "attribute %s=%v in %v", kv.Key, kv.Value.Emit(), set.Encoded(attribute.DefaultEncoder()))
}

// A real backend, with an API key: the key appears in no log line of the
// metrics (slog, every level) and in no span or metric attribute, while the
// metrics are there.
func TestAPIKeyIsNeverExported(t *testing.T) {
	const key = "sk-test-SECRET-key-0123456789"
	srv := openaitest.NewServer(openaitest.Options{APIKey: key, Echo: true})
	defer srv.Close()
	stream := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: key})
	defer stream.Close()

	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	tel, err := fdotel.New(fdotel.Config{TracerProvider: tp, MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	require.NoError(t, err)
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	logSink := fd.SinkFunc(func(_ context.Context, item fd.StreamItem) error {
		if ev, ok := item.(fd.StreamEvent); ok {
			switch d := ev.Data.(type) {
			case fd.TurnMetrics:
				logger.Debug("turn", "metrics", d)
			case fd.ConversationMetrics:
				logger.Info("conversation", "summary", d)
			}
		}
		return nil
	})
	session := fd.NewDuplexSession(stream)
	session.Metrics = &fd.MetricsConfig{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol("hello there")), fd.MultiSink(logSink, tel))
	require.NoError(t, err)

	assert.Contains(t, logs.String(), `"time_to_first_symbol"`, "the turn was measured and logged")
	assert.Contains(t, logs.String(), `"turns":1`)
	assert.NotContains(t, logs.String(), key)
	require.NotEmpty(t, spans.Ended())
	for _, s := range spans.Ended() {
		assert.NotContains(t, fmt.Sprint(s.Attributes(), s.Events(), s.Status()), key)
	}
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(ctx, &rm))
	assert.NotContains(t, fmt.Sprintf("%+v", rm), key)
}

// A turn a reconnect cut counts in fullduplex.reconnect_cuts, not in
// fullduplex.interrupts, and its span says so.
func TestReconnectCutIsNoInterrupt(t *testing.T) {
	spans := tracetest.NewSpanRecorder()
	reader := sdkmetric.NewManualReader()
	tel, err := fdotel.New(fdotel.Config{TracerProvider: sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans)),
		MeterProvider: sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))})
	require.NoError(t, err)
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	m := fd.TurnMetrics{Turn: 1, FirstSymbol: t0, End: t0.Add(ms), Done: t0.Add(ms), Interrupted: true, ReconnectCut: true}
	require.NoError(t, tel.Write(t.Context(), event(fd.EventMetrics, m, m.Done)))
	var rm metricdata.ResourceMetrics
	require.NoError(t, reader.Collect(t.Context(), &rm))
	assert.Equal(t, map[string]int64{"": 1}, counter(t, rm, "fullduplex.reconnect_cuts", ""))
	for _, sm := range rm.ScopeMetrics {
		for _, mt := range sm.Metrics {
			assert.NotEqual(t, "fullduplex.interrupts", mt.Name, "no barge-in was counted")
		}
	}
	require.NoError(t, tel.Write(t.Context(), event(fd.EventSummary, fd.ConversationMetrics{Start: t0, End: t0.Add(ms)}, t0.Add(ms))))
	var turn sdktrace.ReadOnlySpan
	for _, s := range spans.Ended() {
		if s.Name() == "fullduplex.turn" {
			turn = s
		}
	}
	require.NotNil(t, turn)
	assert.Contains(t, turn.Attributes(), attribute.Bool("fullduplex.reconnect_cut", true))
}
