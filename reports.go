package fullduplex

import "time"

// What a backend reports about the moments it alone sees: the service
// ending the user's turn by itself, a connection lost, a turn cut by a
// reconnect. DuplexSession.Metrics measures from them; any consumer may
// read them.

// ReasonReconnect is the TurnEnd.Reason of an EventInterrupt that ends a
// turn because the backend lost its connection (or moved to a new one)
// while the turn was under way: a cut no user made, so the session's
// metrics count it apart from barge-ins. The EventReconnect follows.
const ReasonReconnect = "reconnect"

// A UserSpeechEnd is the Data of an EventMetadata with which a backend
// reports that the service's voice detection heard the user stop speaking
// (OpenAI's input_audio_buffer.speech_stopped): the end of the user's turn
// when the client did not end it with SendEnd. The event's Timestamp is
// when the report arrived.
type UserSpeechEnd interface {
	// UserSpeechEnded marks the type; it does nothing.
	UserSpeechEnded()
}

// A ReconnectReport is the Data of an EventReconnect that says when the
// switch to the new connection began: when the old connection was found
// lost, or when the backend began to move (a GoAway, a planned session
// cap). The EventReconnect itself comes once the new connection is up.
type ReconnectReport interface {
	ReconnectBegan() time.Time
}
