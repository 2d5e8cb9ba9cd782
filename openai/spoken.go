package openai

import (
	"sort"
	"time"
)

// maxSpokenMarks bounds the input timeline: about 20 s of 20 ms chunks,
// far more than the service takes to say the user stopped speaking.
const maxSpokenMarks = 1024

// A spokenMark is one input_audio_buffer.append written to a session: the
// session's input audio up to its end, in wire samples, and the Timestamp
// of the audio symbol it came from (when its last sample was captured).
type spokenMark struct {
	end int64
	at  time.Time
}

// An inputTimeline maps the session's input audio time (the audio_end_ms
// of input_audio_buffer.speech_stopped) back to when that audio was
// captured. The writer adds to it, the reader looks up; guarded by the
// Stream's mu.
type inputTimeline struct {
	rate  int
	total int64 // wire samples written in the session
	first int64 // where the chunk of marks[0] starts
	marks []spokenMark
}

// add records an append of n wire samples from a symbol stamped at.
func (l *inputTimeline) add(n int, at time.Time) {
	if len(l.marks) == maxSpokenMarks {
		keep := l.marks[maxSpokenMarks/2:]
		l.first = l.marks[maxSpokenMarks/2-1].end
		l.marks = append(l.marks[:0], keep...)
	}
	if len(l.marks) == 0 {
		l.first = l.total
	}
	l.total += int64(n)
	l.marks = append(l.marks, spokenMark{end: l.total, at: at})
}

// at returns when the input audio at ms of session time was captured, or
// the zero time when the timeline does not hold it (long gone, or never
// written).
func (l *inputTimeline) at(ms int) time.Time {
	if l.rate <= 0 || ms < 0 {
		return time.Time{}
	}
	sample := int64(ms) * int64(l.rate) / 1000
	if sample < l.first {
		return time.Time{}
	}
	i := sort.Search(len(l.marks), func(i int) bool { return l.marks[i].end >= sample })
	if i == len(l.marks) {
		return time.Time{}
	}
	m := l.marks[i]
	return m.at.Add(-time.Duration(m.end-sample) * time.Second / time.Duration(l.rate))
}
