// Package otel turns the measurements of a fullduplex.DuplexSession into
// OpenTelemetry traces and metrics, so the core package does not depend on
// OpenTelemetry.
//
// Turn the session's measurement on (DuplexSession.Metrics) and give a
// Telemetry to the session as a Sink beside the speaker:
//
//	tel, err := otel.New(otel.Config{}) // the global providers, or yours
//	session.Metrics = &fullduplex.MetricsConfig{Prices: prices}
//	err = session.RunDuplex(ctx, mic, fullduplex.MultiSink(speaker, tel))
//
// Traces: a span per conversation ("fullduplex.conversation", the child of
// the span in RunDuplex's ctx, if any), a span per model turn
// ("fullduplex.turn", from the end of the user's input to the end of the
// answer's playback, with events at the first symbol, the first audio,
// the first audio played and the barge-in), and under each turn a span per
// tool call answered ("fullduplex.tool") and per reconnect
// ("fullduplex.reconnect", from the start of the switch, the old
// connection found lost, to the first item of the new connection: the gap
// of the downlink; an event "connected" when the new one was up). Every span has the
// times the session measured, not the times it was told of them.
//
// Metrics: histograms fullduplex.turn.time_to_first_audio (played where
// the sink reports playback, else received), fullduplex.turn.time_to_first_symbol,
// fullduplex.barge_in.time_to_silence and fullduplex.tool.duration, in
// seconds; counters fullduplex.interrupts (barge-ins, by source client or
// server), fullduplex.reconnect_cuts (turns a reconnect cut, which are no
// barge-ins), fullduplex.reconnects,
// fullduplex.tokens (by direction and modality) and fullduplex.cost.
//
// Only measurements are exported: no text, audio, tool arguments or keys.
package otel
