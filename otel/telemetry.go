package otel

import (
	"context"
	"fmt"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	otelglobal "go.opentelemetry.io/otel"

	"github.com/fullduplex-go/fullduplex"
)

// ScopeName is the instrumentation scope of the tracer and meter.
const ScopeName = "github.com/fullduplex-go/fullduplex/otel"

// Config configures a Telemetry. The zero value uses the global providers.
type Config struct {
	// TracerProvider makes the spans. Default otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider makes the instruments. Default otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
	// Attributes are added to every span and measurement, e.g. the
	// backend and the model. Default none.
	Attributes []attribute.KeyValue
}

// A Telemetry is a fullduplex.Sink that exports the EventMetrics and
// EventSummary of one conversation at a time (one RunDuplex call; the next
// call starts a new conversation span) and ignores every other item.
// Write is called by one goroutine at a time, as every Sink's.
type Telemetry struct {
	tracer trace.Tracer
	attrs  []attribute.KeyValue
	set    metric.MeasurementOption

	firstAudio, firstSymbol, toSilence, toolDuration metric.Float64Histogram
	interrupts, reconnectCuts, reconnects, tokens    metric.Int64Counter
	cost                                             metric.Float64Counter

	mu   sync.Mutex // guards conv
	conv trace.Span // the conversation span, nil between conversations
	cctx context.Context
}

// New returns a Telemetry over cfg's providers.
func New(cfg Config) (*Telemetry, error) {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otelglobal.GetTracerProvider()
	}
	if mp == nil {
		mp = otelglobal.GetMeterProvider()
	}
	t := &Telemetry{
		tracer: tp.Tracer(ScopeName),
		attrs:  append([]attribute.KeyValue(nil), cfg.Attributes...),
		set:    metric.WithAttributes(cfg.Attributes...),
	}
	m := mp.Meter(ScopeName)
	var err error
	seconds := func(name, desc string) metric.Float64Histogram {
		h, e := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc),
			metric.WithExplicitBucketBoundaries(0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10))
		if err == nil {
			err = e
		}
		return h
	}
	count := func(name, unit, desc string) metric.Int64Counter {
		c, e := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		if err == nil {
			err = e
		}
		return c
	}
	t.firstAudio = seconds("fullduplex.turn.time_to_first_audio", "From the end of the user's input to the first model audio played (or received, where the sink does not report playback).")
	t.firstSymbol = seconds("fullduplex.turn.time_to_first_symbol", "From the end of the user's input to the first model symbol.")
	t.toSilence = seconds("fullduplex.barge_in.time_to_silence", "From a barge-in to the silence of the sink.")
	t.toolDuration = seconds("fullduplex.tool.duration", "From a tool call to its result sent.")
	t.interrupts = count("fullduplex.interrupts", "{interrupt}", "Barge-ins that cut the model's output.")
	t.reconnectCuts = count("fullduplex.reconnect_cuts", "{turn}", "Model turns cut by a reconnect of the backend (no barge-in).")
	t.reconnects = count("fullduplex.reconnects", "{reconnect}", "Reconnects of the backend.")
	t.tokens = count("fullduplex.tokens", "{token}", "Tokens the backend counted.")
	c, e := m.Float64Counter("fullduplex.cost", metric.WithDescription("Cost of the tokens, from the session's price table."))
	if err == nil {
		err = e
	}
	t.cost = c
	if err != nil {
		return nil, fmt.Errorf("otel: instruments: %w", err)
	}
	return t, nil
}

// Write exports an EventMetrics or EventSummary; it ignores everything
// else and returns nil.
func (t *Telemetry) Write(ctx context.Context, item fullduplex.StreamItem) error {
	ev, ok := item.(fullduplex.StreamEvent)
	if !ok {
		return nil
	}
	switch d := ev.Data.(type) {
	case fullduplex.TurnMetrics:
		if ev.Type == fullduplex.EventMetrics {
			t.turn(ctx, d)
		}
	case fullduplex.ConversationMetrics:
		if ev.Type == fullduplex.EventSummary {
			t.summary(ctx, d)
		}
	}
	return nil
}

// conversation returns the context of the conversation span, starting it
// at start if there is none.
func (t *Telemetry) conversation(ctx context.Context, start time.Time) context.Context {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.conv == nil {
		t.cctx, t.conv = t.tracer.Start(ctx, "fullduplex.conversation",
			trace.WithTimestamp(start), trace.WithAttributes(t.attrs...), trace.WithSpanKind(trace.SpanKindClient))
	}
	return t.cctx
}

func (t *Telemetry) summary(ctx context.Context, c fullduplex.ConversationMetrics) {
	t.conversation(ctx, c.Start)
	t.mu.Lock()
	span := t.conv
	t.conv, t.cctx = nil, nil
	t.mu.Unlock()
	span.SetAttributes(
		attribute.Int("fullduplex.turns", c.Turns),
		attribute.Int("fullduplex.interrupted", c.Interrupted),
		attribute.Int("fullduplex.barge_ins", c.BargeIns),
		attribute.Int("fullduplex.tool_calls", c.ToolCalls),
		attribute.Int("fullduplex.reconnects", c.Reconnects),
		attribute.Int("fullduplex.tokens.input", c.Usage.InputTokens),
		attribute.Int("fullduplex.tokens.output", c.Usage.OutputTokens),
		attribute.Float64("fullduplex.cost", c.Cost),
	)
	span.End(trace.WithTimestamp(c.End))
}

func (t *Telemetry) turn(ctx context.Context, m fullduplex.TurnMetrics) {
	cctx := t.conversation(ctx, m.Conversation.Start)
	start := firstOf(m.InputEnd, m.FirstSymbol, m.End, m.Done)
	for _, tool := range m.Tools {
		start = earliest(start, tool.Called)
	}
	for _, r := range m.Reconnects {
		start = earliest(start, r.Began)
	}
	attrs := append([]attribute.KeyValue{attribute.Int("fullduplex.turn", m.Turn), attribute.Bool("fullduplex.interrupted", m.Interrupted)}, t.attrs...)
	if m.ReconnectCut {
		attrs = append(attrs, attribute.Bool("fullduplex.reconnect_cut", true))
	}
	attrs = appendSeconds(attrs, "fullduplex.time_to_first_symbol", m.TimeToFirstSymbol)
	attrs = appendSeconds(attrs, "fullduplex.time_to_first_audio", m.TimeToFirstAudio)
	attrs = appendSeconds(attrs, "fullduplex.time_to_first_played", m.TimeToFirstPlayed)
	if m.Usage.InputTokens != 0 || m.Usage.OutputTokens != 0 {
		attrs = append(attrs, attribute.Int("fullduplex.tokens.input", m.Usage.InputTokens), attribute.Int("fullduplex.tokens.output", m.Usage.OutputTokens))
	}
	if m.Cost != 0 {
		attrs = append(attrs, attribute.Float64("fullduplex.cost", m.Cost))
	}
	tctx, span := t.tracer.Start(cctx, "fullduplex.turn", trace.WithTimestamp(start), trace.WithAttributes(attrs...))
	event := func(name string, at time.Time, kv ...attribute.KeyValue) {
		if !at.IsZero() {
			span.AddEvent(name, trace.WithTimestamp(at), trace.WithAttributes(kv...))
		}
	}
	event("input_end", m.InputEnd, attribute.Bool("fullduplex.input_end.server", m.ServerInputEnd))
	event("first_symbol", m.FirstSymbol)
	event("first_audio", m.FirstAudio)
	event("first_played", m.FirstPlayed)
	if b := m.BargeIn; !b.At.IsZero() {
		source := bargeInSource(b)
		event("barge_in", b.At, attribute.String("fullduplex.barge_in.source", source))
		event("silence", b.Silent)
		t.toSilence.Record(ctx, b.ToSilence().Seconds(), t.set, metric.WithAttributes(attribute.String("fullduplex.barge_in.source", source)))
		t.interrupts.Add(ctx, 1, t.set, metric.WithAttributes(attribute.String("fullduplex.barge_in.source", source)))
	}
	event("end", m.End)
	for _, tool := range m.Tools {
		_, ts := t.tracer.Start(tctx, "fullduplex.tool", trace.WithTimestamp(tool.Called),
			trace.WithAttributes(attribute.String("fullduplex.tool.name", tool.Name), attribute.String("fullduplex.tool.call_id", tool.ID)))
		if tool.Failed {
			ts.SetStatus(codes.Error, "the tool's result is an error")
		}
		ts.End(trace.WithTimestamp(tool.Answered))
		t.toolDuration.Record(ctx, tool.Duration().Seconds(), t.set, metric.WithAttributes(attribute.String("fullduplex.tool.name", tool.Name)))
	}
	for _, r := range m.Reconnects {
		// From the switch's start to the new connection's first item (or
		// to its being up, when none came).
		_, rs := t.tracer.Start(tctx, "fullduplex.reconnect", trace.WithTimestamp(r.Began),
			trace.WithAttributes(attribute.Float64("fullduplex.reconnect.down", r.Down().Seconds())))
		rs.AddEvent("connected", trace.WithTimestamp(r.At))
		rs.End(trace.WithTimestamp(latest(r.At, r.First)))
		t.reconnects.Add(ctx, 1, t.set)
	}
	if m.ReconnectCut {
		t.reconnectCuts.Add(ctx, 1, t.set)
	}
	span.End(trace.WithTimestamp(latest(m.End, m.Done)))

	if d := m.TimeToFirstPlayed; d > 0 {
		t.firstAudio.Record(ctx, d.Seconds(), t.set, metric.WithAttributes(attribute.Bool("fullduplex.audio.played", true)))
	} else if d := m.TimeToFirstAudio; d > 0 {
		t.firstAudio.Record(ctx, d.Seconds(), t.set, metric.WithAttributes(attribute.Bool("fullduplex.audio.played", false)))
	}
	if d := m.TimeToFirstSymbol; d > 0 {
		t.firstSymbol.Record(ctx, d.Seconds(), t.set)
	}
	t.countTokens(ctx, "input", m.Usage.InputTokens, m.Usage.InputByModality)
	t.countTokens(ctx, "output", m.Usage.OutputTokens, m.Usage.OutputByModality)
	if m.Cost != 0 {
		t.cost.Add(ctx, m.Cost, t.set)
	}
}

// countTokens adds tokens by modality where the backend says, else the total.
func (t *Telemetry) countTokens(ctx context.Context, direction string, total int, by map[fullduplex.Modality]int) {
	dir := attribute.String("fullduplex.tokens.direction", direction)
	if len(by) == 0 {
		if total > 0 {
			t.tokens.Add(ctx, int64(total), t.set, metric.WithAttributes(dir, attribute.String("fullduplex.modality", "unspecified")))
		}
		return
	}
	for m, n := range by {
		if n > 0 {
			t.tokens.Add(ctx, int64(n), t.set, metric.WithAttributes(dir, attribute.String("fullduplex.modality", string(m))))
		}
	}
}

func bargeInSource(b fullduplex.BargeIn) string {
	if b.Client {
		return "client"
	}
	return "server"
}

func appendSeconds(attrs []attribute.KeyValue, key string, d time.Duration) []attribute.KeyValue {
	if d == 0 {
		return attrs
	}
	return append(attrs, attribute.Float64(key, d.Seconds()))
}

// firstOf returns the first of ts that is not zero.
func firstOf(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
