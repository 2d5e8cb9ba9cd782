package fullduplex

import "time"

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
