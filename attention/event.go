package attention

import (
	"fmt"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// A Reason says why the floor changed. A plain value.
type Reason string

// The reasons of a FloorChange.
const (
	ReasonVoice     Reason = "voice"     // the input's speech lasted MinSpeech
	ReasonPhrase    Reason = "phrase"    // the activation phrase was heard in the input's transcript
	ReasonText      Reason = "text"      // the input sent a typed line
	ReasonRelevance Reason = "relevance" // Selective.Relevance said so
	ReasonPreempt   Reason = "preempt"   // an input of higher priority took the floor from Lost
	ReasonSilence   Reason = "silence"   // the holder was inactive for Hold
	ReasonEnded     Reason = "ended"     // the holder's source ended
)

// A FloorChange is the Data of the EventMetadata a Source emits when the
// floor changes: who has it now and why. It is a plain value, safe to share.
type FloorChange struct {
	// Holders are the inputs holding the floor after the change, in the
	// order they took it; empty when the floor is free.
	Holders []string
	// Gained is the input that took the floor, Lost the one that lost it;
	// "" when none did (a release has no Gained, a take of a free floor
	// no Lost).
	Gained, Lost string
	// Reason says why. For ReasonPreempt, Claim says how Gained claimed
	// the floor (voice, phrase, text or relevance).
	Reason Reason
	Claim  Reason
	// At is the media time of the change: the Timestamp of the symbol that
	// caused it (for ReasonEnded, the latest Timestamp read).
	At time.Time
}

// String describes the change on one line, e.g. "floor: mic2 (voice)".
func (c FloorChange) String() string {
	var b strings.Builder
	b.WriteString("floor: ")
	if len(c.Holders) == 0 {
		b.WriteString("free")
	} else {
		b.WriteString(strings.Join(c.Holders, "+"))
	}
	fmt.Fprintf(&b, " (%s", c.Reason)
	if c.Reason == ReasonPreempt {
		fmt.Fprintf(&b, " by %s's %s", c.Gained, c.Claim)
	}
	if c.Lost != "" {
		fmt.Fprintf(&b, "; %s lost it", c.Lost)
	}
	b.WriteString(")")
	return b.String()
}

func floorEvent(c FloorChange) fullduplex.StreamEvent {
	ev := fullduplex.NewEvent(fullduplex.EventMetadata, c)
	if !c.At.IsZero() {
		ev.Timestamp = c.At
	}
	return ev
}

// Counts counts symbols by modality; Other counts symbols of a modality
// fullduplex does not define (the stream refuses them). A plain value.
type Counts struct {
	Audio, Video, Text, Image, Other uint64
}

// Total is the sum over the modalities.
func (c Counts) Total() uint64 { return c.Audio + c.Video + c.Text + c.Image + c.Other }

func (c *Counts) add(m fullduplex.Modality) {
	switch m {
	case fullduplex.ModalityAudio:
		c.Audio++
	case fullduplex.ModalityVideo:
		c.Video++
	case fullduplex.ModalityText:
		c.Text++
	case fullduplex.ModalityImage:
		c.Image++
	default:
		c.Other++
	}
}

// Stats counts what a Source read and what it did with it: every symbol
// read is counted once, in Passed or in one of the reasons it was skipped
// (or, mixed, in Mixed). A plain value.
type Stats struct {
	// Passed: returned by Next as they were read (labelled).
	Passed Counts
	// Mixed: audio symbols mixed into the MixedFrames chunks Next returned.
	Mixed       Counts
	MixedFrames uint64
	// Unattended: from an input without the floor (audio once it fell out
	// of the pre-roll).
	Unattended Counts
	// OverRate: frames over their FrameBudget's PerSecond.
	OverRate Counts
	// Unchanged: frames that differed from the last one sent by less than
	// MinChange.
	Unchanged Counts
	// Silence: audio without speech, with Budget.DropSilence.
	Silence Counts
	// Transcripts: transcripts used for attention and not passed on.
	Transcripts Counts
}
