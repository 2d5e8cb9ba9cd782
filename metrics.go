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
	// grammar answers them. When nothing on the client ended the input
	// (the service's voice detection ended the user's turn), it is what
	// the backend reported before the turn's first model item: the latest
	// InputEnder since the previous turn began (OpenAI's speech_stopped,
	// dated to when the audio at its audio_end_ms was captured), else the
	// latest final user transcript received
	// while no model turn was under way (Gemini's finished input
	// transcription); ServerInputEnd is then true. Zero when neither was
	// observed.
	InputEnd time.Time
	// ServerInputEnd is true when InputEnd is the backend's report. An
	// InputEnder that dates the end of speech (OpenAI's) makes latencies
	// include the service's silence timeout (silence_duration_ms, 500 ms by
	// default); a transcript (Gemini's) arrives after that timeout, so
	// latencies measured from it leave the timeout out.
	ServerInputEnd bool
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
	// ReconnectCut is true when that EventInterrupt's reason was
	// ReasonReconnect: the backend's connection broke, no user cut it, and
	// it is no barge-in.
	Interrupted, ReconnectCut bool

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
// Timestamp of its EventToolCall, Answered when the session handed the
// result to the stream (SendToolResult).
type ToolMetrics struct {
	ID, Name         string
	Called, Answered time.Time
	// Failed is true when the result was an error (the handler failed,
	// panicked, or the tool is unknown).
	Failed bool
}

// Duration returns Answered − Called.
func (t ToolMetrics) Duration() time.Duration { return t.Answered.Sub(t.Called) }

// ReconnectMetrics measures one EventReconnect: At is its Timestamp (the
// new connection was up); Began is when the switch began, from the
// event's ReconnectReport (the old connection found lost, or the move
// begun), else At; First is the Timestamp of the first item after it, the
// first of the new connection. Gap, First − Began, is the silence of the
// downlink across the switch as the listener met it; when the
// conversation was idle it includes the idle time. First and Gap are zero
// when no item followed before RunDuplex returned.
type ReconnectMetrics struct {
	At, Began, First time.Time
	Gap              time.Duration
}

// Down returns At − Began: how long the backend had no connection.
func (r ReconnectMetrics) Down() time.Duration { return r.At.Sub(r.Began) }

// ToolTotals sums the calls of one tool: how many, how many failed, and
// their durations (ToolMetrics.Duration), in total and the longest.
type ToolTotals struct {
	Calls, Failed int
	Total, Max    time.Duration
}

// ConversationMetrics sums a RunDuplex call (the Data of EventSummary, and
// TurnMetrics.Conversation). A plain value, safe to share.
type ConversationMetrics struct {
	// Start is when RunDuplex started; End when the summary was made (for
	// a running total, Done of its last turn).
	Start, End time.Time
	// Turns counts the model turns measured, Interrupted those cut.
	Turns, Interrupted int
	// BargeIns counts the turns the user cut (by Interrupt while the
	// turn was received or played, or by the service's EventInterrupt),
	// ReconnectCuts the turns a reconnect cut (see ReasonReconnect),
	// ToolCalls the tool results sent, Reconnects the EventReconnects.
	BargeIns, ReconnectCuts, ToolCalls, Reconnects int
	// Tools sums the tool calls by tool name; nil when there were none.
	Tools map[string]ToolTotals
	// Usage sums every EventUsage, including that of a turn still open
	// when RunDuplex returned; Cost prices it.
	Usage Usage
	Cost  float64
}
