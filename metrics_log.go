package fullduplex

import (
	"log/slog"
	"maps"
	"slices"
	"time"
)

// LogValue makes TurnMetrics a slog.LogValuer: a group of the measured
// values only (durations, counts, tokens, cost), never any content of the
// conversation, so it is safe to log at any level:
//
//	logger.Info("turn", "metrics", m)
func (m TurnMetrics) LogValue() slog.Value {
	attrs := make([]slog.Attr, 0, 16)
	attrs = append(attrs, slog.Int("turn", m.Turn))
	attrs = appendDuration(attrs, "time_to_first_symbol", m.TimeToFirstSymbol)
	attrs = appendDuration(attrs, "time_to_first_audio", m.TimeToFirstAudio)
	attrs = appendDuration(attrs, "time_to_first_played", m.TimeToFirstPlayed)
	if m.ServerInputEnd {
		attrs = append(attrs, slog.Bool("input_end_server", true))
	}
	if m.Interrupted {
		attrs = append(attrs, slog.Bool("interrupted", true))
	}
	if m.ReconnectCut {
		attrs = append(attrs, slog.Bool("reconnect_cut", true))
	}
	if !m.BargeIn.At.IsZero() {
		source := "server"
		if m.BargeIn.Client {
			source = "client"
		}
		attrs = append(attrs, slog.String("barge_in", source), slog.Duration("barge_in_to_silence", m.BargeIn.ToSilence()))
	}
	attrs = appendDuration(attrs, "audio_out", m.AudioOut)
	attrs = appendDuration(attrs, "played", m.Played)
	for _, t := range m.Tools {
		attrs = append(attrs, slog.Group("tool", slog.String("name", t.Name), slog.Duration("duration", t.Duration()), slog.Bool("failed", t.Failed)))
	}
	for _, r := range m.Reconnects {
		attrs = append(attrs, slog.Duration("reconnect_gap", r.Gap))
	}
	attrs = appendUsage(attrs, m.Usage)
	if m.Cost != 0 || m.Conversation.Cost != 0 {
		attrs = append(attrs, slog.Float64("cost", m.Cost), slog.Float64("total_cost", m.Conversation.Cost))
	}
	return slog.GroupValue(attrs...)
}

// LogValue makes ConversationMetrics a slog.LogValuer, like TurnMetrics.
func (c ConversationMetrics) LogValue() slog.Value {
	attrs := []slog.Attr{
		slog.Duration("duration", c.End.Sub(c.Start)),
		slog.Int("turns", c.Turns),
		slog.Int("interrupted", c.Interrupted),
		slog.Int("barge_ins", c.BargeIns),
		slog.Int("reconnect_cuts", c.ReconnectCuts),
		slog.Int("tool_calls", c.ToolCalls),
		slog.Int("reconnects", c.Reconnects),
	}
	for _, name := range slices.Sorted(maps.Keys(c.Tools)) {
		tt := c.Tools[name]
		attrs = append(attrs, slog.Group("tool", slog.String("name", name), slog.Int("calls", tt.Calls), slog.Int("failed", tt.Failed),
			slog.Duration("total", tt.Total), slog.Duration("max", tt.Max)))
	}
	attrs = appendUsage(attrs, c.Usage)
	attrs = append(attrs, slog.Float64("cost", c.Cost))
	return slog.GroupValue(attrs...)
}

func appendDuration(attrs []slog.Attr, key string, d time.Duration) []slog.Attr {
	if d == 0 {
		return attrs
	}
	return append(attrs, slog.Duration(key, d))
}

func appendUsage(attrs []slog.Attr, u Usage) []slog.Attr {
	if u.InputTokens == 0 && u.OutputTokens == 0 {
		return attrs
	}
	attrs = append(attrs, slog.Int("tokens_in", u.InputTokens), slog.Int("tokens_out", u.OutputTokens))
	for _, m := range []Modality{ModalityAudio, ModalityText, ModalityImage, ModalityVideo} {
		if n := u.InputByModality[m]; n != 0 {
			attrs = append(attrs, slog.Int("tokens_in_"+string(m), n))
		}
		if n := u.OutputByModality[m]; n != 0 {
			attrs = append(attrs, slog.Int("tokens_out_"+string(m), n))
		}
	}
	if u.CachedTokens != 0 {
		attrs = append(attrs, slog.Int("tokens_cached", u.CachedTokens))
	}
	return attrs
}
