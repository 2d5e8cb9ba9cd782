package record

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// An Entry is one line of the JSON transcript: a stretch of text said by
// one side, or a moment of the conversation (a turn's end, a barge-in, a
// tool call, a reconnect, a turn's metrics).
type Entry struct {
	// T is the entry's time in seconds from the start of the recording:
	// its offset in the WAV file.
	T float64 `json:"t"`
	// Type is "text", "turn_end", "barge_in", "tool_call", "reconnect" or
	// "metrics".
	Type string `json:"type"`
	// Role is "user" or "model", for text.
	Role string `json:"role,omitempty"`
	Text string `json:"text,omitempty"`
	// Turn counts the model turns from 1, for turn_end and metrics.
	Turn        int  `json:"turn,omitempty"`
	Interrupted bool `json:"interrupted,omitempty"`
	// Reason is the backend's TurnEnd.Reason of a turn_end, e.g.
	// "reconnect" for a turn the connection's loss cut (no barge-in).
	Reason string `json:"reason,omitempty"`
	Tool   string `json:"tool,omitempty"`
	CallID string `json:"call_id,omitempty"`
	// Metrics, in milliseconds, and the turn's cost.
	TimeToFirstAudioMS float64 `json:"time_to_first_audio_ms,omitempty"`
	TimeToPlayedMS     float64 `json:"time_to_first_played_ms,omitempty"`
	BargeInToSilenceMS float64 `json:"barge_in_to_silence_ms,omitempty"`
	Cost               float64 `json:"cost,omitempty"`
}

// A Transcript is the JSON file: the start of the recording, its WAV file,
// and the entries in order.
type Transcript struct {
	Start      time.Time `json:"start"`
	WAV        string    `json:"wav"`
	SampleRate int       `json:"sample_rate"`
	Entries    []Entry   `json:"entries"`
}

// maxText bounds the text an entry gathers before it is written out.
const maxText = 4096

// transcriptFile streams a Transcript to disk: the header first, each entry
// as it is complete, the closing brackets on close. Not safe for concurrent
// use.
type transcriptFile struct {
	f     *os.File
	w     *bufio.Writer
	n     int   // entries written
	text  Entry // text gathered, not written yet (Type "" when none)
	start time.Time
}

func createTranscript(path, wav string, start time.Time, rate int) (*transcriptFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	t := &transcriptFile{f: f, w: bufio.NewWriter(f), start: start}
	head, _ := json.Marshal(Transcript{Start: start, WAV: wav, SampleRate: rate})
	// {"start":...,"entries":null} → {"start":...,"entries":[
	head = append(head[:len(head)-len("null}")], '[')
	if _, err := t.w.Write(head); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("record: write transcript: %w", err)
	}
	return t, nil
}

// say gathers text of role at offset t into the current text entry.
func (t *transcriptFile) say(role, text string, at float64) error {
	if t.text.Type != "" && (t.text.Role != role || len(t.text.Text) >= maxText) {
		if err := t.endText(); err != nil {
			return err
		}
	}
	if t.text.Type == "" {
		t.text = Entry{T: at, Type: "text", Role: role}
	}
	t.text.Text += text
	return nil
}

// endText writes the text gathered, if any.
func (t *transcriptFile) endText() error {
	if t.text.Type == "" {
		return nil
	}
	e := t.text
	t.text = Entry{}
	return t.write(e)
}

// add writes e after the text gathered so far.
func (t *transcriptFile) add(e Entry) error {
	if err := t.endText(); err != nil {
		return err
	}
	return t.write(e)
}

func (t *transcriptFile) write(e Entry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("record: transcript entry: %w", err)
	}
	sep := ",\n"
	if t.n == 0 {
		sep = "\n"
	}
	t.n++
	if _, err := t.w.WriteString(sep); err != nil {
		return fmt.Errorf("record: write transcript: %w", err)
	}
	if _, err := t.w.Write(b); err != nil {
		return fmt.Errorf("record: write transcript: %w", err)
	}
	return nil
}

func (t *transcriptFile) close() error {
	err := t.endText()
	if err == nil {
		_, err = t.w.WriteString("\n]}\n")
	}
	if err == nil {
		err = t.w.Flush()
	}
	if cerr := t.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("record: close transcript: %w", cerr)
	}
	return err
}
