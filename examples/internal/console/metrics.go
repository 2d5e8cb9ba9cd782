package console

import (
	"fmt"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// turnLine describes a turn's metrics on one line, e.g.
// "[turn 2: first token 310ms, first audio 480ms, played 620ms, 1200 tokens, cost 0.0042 (total 0.0107)]".
func turnLine(m fullduplex.TurnMetrics) string {
	parts := []string{}
	add := func(name string, d time.Duration) {
		if d > 0 {
			parts = append(parts, name+" "+d.Round(time.Millisecond).String())
		}
	}
	add("first token", m.TimeToFirstSymbol)
	add("first audio", m.TimeToFirstAudio)
	add("played", m.TimeToFirstPlayed)
	if m.ReconnectCut {
		parts = append(parts, "cut by a reconnect")
	}
	if d := m.BargeIn.ToSilence(); !m.BargeIn.At.IsZero() {
		parts = append(parts, "barge-in to silence "+d.Round(time.Millisecond).String())
	}
	for _, t := range m.Tools {
		parts = append(parts, fmt.Sprintf("tool %s %v", t.Name, t.Duration().Round(time.Millisecond)))
	}
	for _, r := range m.Reconnects {
		parts = append(parts, "reconnect gap "+r.Gap.Round(time.Millisecond).String())
	}
	if n := m.Usage.InputTokens + m.Usage.OutputTokens; n > 0 {
		parts = append(parts, fmt.Sprintf("%d tokens", n))
	}
	if m.Conversation.Cost > 0 {
		parts = append(parts, fmt.Sprintf("cost %.4f (total %.4f)", m.Cost, m.Conversation.Cost))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("[turn %d]", m.Turn)
	}
	return fmt.Sprintf("[turn %d: %s]", m.Turn, strings.Join(parts, ", "))
}

// summaryLine describes a whole conversation on one line.
func summaryLine(c fullduplex.ConversationMetrics) string {
	s := fmt.Sprintf("[conversation: %d turns, %d interrupted (%d barge-ins), %d tokens", c.Turns, c.Interrupted, c.BargeIns, c.Usage.InputTokens+c.Usage.OutputTokens)
	if c.Cost > 0 {
		s += fmt.Sprintf(", cost %.4f", c.Cost)
	}
	return s + "]"
}
