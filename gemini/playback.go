package gemini

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

var _ fullduplex.PlaybackUser = (*Stream)(nil)

// reporter holds the PlaybackReporter of the run (see UsePlayback).
type reporter struct{ p fullduplex.PlaybackReporter }

// UsePlayback makes the stream say, on the terminator of a turn that was
// cut off, what the listener heard of it (fullduplex.PlaybackUser): the
// TurnEnd's Heard, from p.Played(turn) as the terminator goes out (the
// session flushes the speaker right after), and the same share of the
// turn's output transcription. The Live API keeps the whole answer in its
// context (it cannot truncate it); Heard is for the application, e.g. to
// log what the user really heard. nil means no reporter: no Heard.
// DuplexSession.RunDuplex calls it with its receiver's reporter.
func (s *Stream) UsePlayback(p fullduplex.PlaybackReporter) {
	if p == nil {
		s.playback.Store(nil)
		return
	}
	s.playback.Store(&reporter{p})
}

// played returns how much of turn the listener heard, and whether a
// reporter says so.
func (s *Stream) played(turn int) (time.Duration, bool) {
	r := s.playback.Load()
	if r == nil {
		return 0, false
	}
	return r.p.Played(turn), true
}
