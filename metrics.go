package fullduplex

import "time"

// The events of per-turn measurement (DuplexSession.Metrics).
const (
	// EventMetrics reports one model turn's measurements (Data:
	// TurnMetrics), after the turn's terminator and, when the receiver
	// reports playback, once the turn's audio has played out or was cut.
	EventMetrics EventType = "metrics"
	// EventSummary reports the whole conversation (Data:
	// ConversationMetrics); it is the last item a RunDuplex delivers.
	EventSummary EventType = "summary"
)

// MetricsConfig turns on per-turn measurement for DuplexSession.Metrics.
// The zero value measures with the default clock and prices nothing. It is
// read once, when RunDuplex starts.
type MetricsConfig struct {
	// Prices prices the tokens of EventUsage. Default: no prices, Cost 0.
	Prices Prices
	// Clock reads the time of the moments the session observes itself:
	// SendEnd and CloseSend called, a Flush returned, a tool result sent,
	// playback polled. Every other moment is the Timestamp of the symbol
	// or event that marks it, so a test that scripts both measures exact
	// delays. Default: the clock that stamps symbols (see
	// Symbol.Timestamp).
	Clock func() time.Time
	// PlaybackPoll is how often the session asks a PlaybackReporter
	// receiver how much of a finished turn has played. It bounds only how
	// late EventMetrics comes, not the accuracy of what it reports.
	// Default 10 ms.
	PlaybackPoll time.Duration
}

// TurnMetrics measures one model turn (the Data of EventMetrics). Times
// are zero and durations 0 when the moment was not observed. A plain value,
// safe to share.
type TurnMetrics struct {
	// Turn counts the model turns of the RunDuplex call, from 1.
	Turn int
	// InputEnd is when the user input this turn answers ended: the
	// Timestamp of a text Symbol sent, or when SendEnd or CloseSend ended
	// audio input. Inputs are matched to answers in order, as the turn
	// grammar answers them. Zero when the backend ended the user's turn
	// by itself (server-side voice detection) and nothing on the client
	// did.
	InputEnd time.Time
	// FirstSymbol and FirstAudio are the Timestamps of the turn's first
	// model symbol and first model audio symbol.
	FirstSymbol, FirstAudio time.Time
	// FirstPlayed is when the first sample of the turn's audio played, from
	// a receiver that is a PlaybackReporter: the time of a poll minus
	// what had played by then, which is exact while playback runs without
	// a gap.
	FirstPlayed time.Time
	// End is the Timestamp of the turn's terminator.
	End time.Time
	// Done is when the measurement ended: End, or, when the receiver
	// reports playback, when the turn's audio had played out or was cut.
	Done time.Time
	// Interrupted is true when the turn ended with EventInterrupt.
	Interrupted bool

	// Time from InputEnd to FirstSymbol, FirstAudio and FirstPlayed.
	TimeToFirstSymbol, TimeToFirstAudio, TimeToFirstPlayed time.Duration

	// BargeIn is the first barge-in that cut this turn's output.
	BargeIn BargeIn
	// AudioOut is how much model audio of the turn was delivered; Played
	// how much of it the receiver reported played.
	AudioOut, Played time.Duration
	// Tools are the tool calls whose results were sent since the previous
	// TurnMetrics, Reconnects the reconnects seen since then.
	Tools      []ToolMetrics
	Reconnects []ReconnectMetrics
	// Usage sums the turn's EventUsage; Cost prices it.
	Usage Usage
	Cost  float64
	// Conversation is the running total, this turn included.
	Conversation ConversationMetrics
}

// A BargeIn is a cut of the model's output: Interrupt (Client) or the
// stream's EventInterrupt. At is the Interrupt call or the event's
// Timestamp; Silent is when the Flush of the receiver returned (for a
// receiver that is no Flusher, when the cut was applied).
type BargeIn struct {
	At, Silent time.Time
	Client     bool
}

// ToSilence returns Silent − At, or 0 when there was no barge-in.
func (b BargeIn) ToSilence() time.Duration {
	if b.At.IsZero() {
		return 0
	}
	return b.Silent.Sub(b.At)
}

// ToolMetrics measures one tool call the session ran: Called is the
// Timestamp of its EventToolCall, Answered when SendToolResult returned.
type ToolMetrics struct {
	ID, Name         string
	Called, Answered time.Time
	// Failed is true when the result was an error (the handler failed,
	// panicked, or the tool is unknown).
	Failed bool
}

// Duration returns Answered − Called.
func (t ToolMetrics) Duration() time.Duration { return t.Answered.Sub(t.Called) }

// ReconnectMetrics measures one EventReconnect: At is its Timestamp, Gap
// the time since the item received before it, the silence of the
// downlink across the switch.
type ReconnectMetrics struct {
	At  time.Time
	Gap time.Duration
}

// ConversationMetrics sums a RunDuplex call (the Data of EventSummary, and
// TurnMetrics.Conversation). A plain value, safe to share.
type ConversationMetrics struct {
	// Start is when RunDuplex started; End when the summary was made (for
	// a running total, Done of its last turn).
	Start, End time.Time
	// Turns counts the model turns measured, Interrupted those cut.
	Turns, Interrupted int
	// BargeIns counts cuts (Interrupt calls and EventInterrupt), ToolCalls
	// the tool results sent, Reconnects the EventReconnects.
	BargeIns, ToolCalls, Reconnects int
	// Usage sums every EventUsage, including that of a turn still open
	// when RunDuplex returned; Cost prices it.
	Usage Usage
	Cost  float64
}
