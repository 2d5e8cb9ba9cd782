package fullduplex

import "time"

// What a backend reports about the moments it alone sees: the service
// ending the user's turn by itself, a connection lost, a turn cut by a
// reconnect. DuplexSession.Metrics measures from them; any consumer may
// read them.

// An InputEnder is the Data of an EventMetadata by which a stream says that
// the service's own voice detection ended the user's spoken turn (the
// session sent no SendEnd). InputEnd returns when the user stopped
// speaking, on the clock of the input symbols (the Timestamp of the audio
// sent at the point the service names), or the zero time when the stream
// cannot tell. With DuplexSession.Metrics on, it is the TurnMetrics.InputEnd
// of the answer that follows, when nothing sent by the client ended the
// input, so time to first audio and to first audio played are measured
// under server-side voice detection too.
type InputEnder interface {
	InputEnd() time.Time
}

// ReasonReconnect is the TurnEnd.Reason of an EventInterrupt that ends a
// turn because the backend lost its connection (or moved to a new one)
// while the turn was under way: a cut no user made, so the session's
// metrics count it apart from barge-ins. The EventReconnect follows.
const ReasonReconnect = "reconnect"

// A ReconnectReport is the Data of an EventReconnect that says when the
// switch to the new connection began: when the old connection was found
// lost, or when the backend began to move (a GoAway, a planned session
// cap). The EventReconnect itself comes once the new connection is up.
type ReconnectReport interface {
	ReconnectBegan() time.Time
}
