// Package heard computes what the listener heard of a model turn that was
// cut off, the same way for every backend: the fullduplex.Heard of the
// turn's terminator.
package heard

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// Part returns the part of text spoken in played of received: the same
// share of its bytes, cut back to a rune boundary. The services time no
// words, so the share is an estimate; all of text when played covers
// received (or nothing was received), none when nothing was played.
func Part(text string, played, received time.Duration) string {
	if received <= 0 || played >= received {
		return text
	}
	if played <= 0 {
		return ""
	}
	n := int(int64(len(text)) * int64(played) / int64(received))
	for n > 0 && n < len(text) && text[n]&0xC0 == 0x80 {
		n--
	}
	return text[:n]
}

// Of returns what was heard of a turn whose audio played for played (as
// the sink's PlaybackReporter said) out of received, and whose output
// transcript so far is transcript: played clamped to received, and the
// part of the transcript spoken in it.
func Of(transcript string, played, received time.Duration) *fullduplex.Heard {
	played = min(max(played, 0), received)
	return &fullduplex.Heard{Audio: played, Received: received, Transcript: Part(transcript, played, received)}
}
