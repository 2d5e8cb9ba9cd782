package record

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// Config configures a Recorder. The zero value is ready to use.
type Config struct {
	// SampleRate is the rate of the WAV file; audio at other rates is
	// resampled. Default 24000.
	SampleRate int
	// Transcript is the path of the JSON transcript. Default: the WAV
	// file's path with the extension ".json".
	Transcript string
	// MaxDuration bounds the recording: audio placed later than this after
	// the start is left out (and Close reports it). Default 4 hours.
	MaxDuration time.Duration
	// Clock reads the time of the start and of a Flush (the barge-in
	// moment); every other moment is the Timestamp of a symbol or event.
	// Default time.Now.
	Clock func() time.Time
}

// jitter is how far a chunk's timestamp may stray from where the previous
// chunk of its side ended and still follow it without a gap.
const jitter = 100 * time.Millisecond

// A Recorder records a conversation to a stereo WAV file and a JSON
// transcript (see the package documentation). It is a fullduplex.Sink and
// Flusher for the model's side; Source wraps the user's side.
//
// Write, Flush, the Sources' Next and Close are safe to call from any
// goroutine at once: one mutex orders them. A disk error stops the
// recording, not the conversation: Write returns nil, and Close and Err
// return the first error.
type Recorder struct {
	clock func() time.Time
	start time.Time
	rate  int
	limit int64 // frames

	mu    sync.Mutex // guards everything below
	wav   *stereoFile
	text  *transcriptFile
	sides [2]side
	cut   [2]int64 // a pending cut of the model's side: zero frames [cut[0], cut[1]) before its next write
	turns int
	err   error
	done  bool
}

// A side is one channel: where its audio has reached, and its resampler.
type side struct {
	cursor int64 // the frame after its last sample
	begun  bool
	rs     *pcm.Resampler
	buf    []int16
	out    []int16
}

const (
	left  = 0 // the user
	right = 1 // the model
)

// Create starts a recording into the WAV file path and its transcript.
func Create(path string, cfg Config) (*Recorder, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 24000
	}
	if cfg.SampleRate < 8000 || cfg.SampleRate > pcm.MaxRate {
		return nil, fmt.Errorf("record: sample rate %d Hz out of range", cfg.SampleRate)
	}
	if cfg.Transcript == "" {
		cfg.Transcript = strings.TrimSuffix(path, filepath.Ext(path)) + ".json"
	}
	if cfg.MaxDuration <= 0 {
		cfg.MaxDuration = 4 * time.Hour
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	r := &Recorder{clock: cfg.Clock, rate: cfg.SampleRate, limit: int64(cfg.MaxDuration.Seconds() * float64(cfg.SampleRate))}
	r.start = r.clock()
	wav, err := createStereo(path, r.rate)
	if err != nil {
		return nil, err
	}
	text, err := createTranscript(cfg.Transcript, filepath.Base(path), r.start, r.rate)
	if err != nil {
		_ = wav.close()
		return nil, err
	}
	r.wav, r.text = wav, text
	return r, nil
}

// Source returns a Source that yields what src yields and records it as
// the user's side: audio on the left channel, text in the transcript.
func (r *Recorder) Source(src fullduplex.Source) fullduplex.Source {
	return fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		s, err := src.Next(ctx)
		if err == nil {
			r.record(s, fullduplex.RoleUser, true)
		}
		return s, err
	})
}

// Write records what the model says: audio on the right channel, text and
// events in the transcript. A user transcript (MetaRole "user") is the
// user's text. It returns nil.
func (r *Recorder) Write(_ context.Context, item fullduplex.StreamItem) error {
	switch it := item.(type) {
	case fullduplex.Symbol:
		role := it.Role()
		if role == "" {
			role = fullduplex.RoleModel
		}
		r.record(it, role, false)
	case fullduplex.StreamEvent:
		r.event(it)
	}
	return nil
}

// Flush cuts the model's audio now, as the speaker beside it is cut: what
// was queued to play after this moment is left out.
func (r *Recorder) Flush() {
	now := r.clock()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done || r.err != nil {
		return
	}
	pos := r.frame(now)
	m := &r.sides[right]
	if m.cursor > pos {
		if r.cut[1] <= r.cut[0] {
			r.cut = [2]int64{pos, m.cursor}
		} else {
			r.cut = [2]int64{min(pos, r.cut[0]), max(m.cursor, r.cut[1])}
		}
		m.cursor = pos
		if m.rs != nil {
			m.rs.Reset()
		}
	}
	r.fail(r.text.add(Entry{T: r.offset(now), Type: "barge_in"}))
}

// Err returns the first error of the recording, or nil.
func (r *Recorder) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Close finishes both files and returns the first error of the recording.
// Later calls return the same.
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done {
		return r.err
	}
	r.done = true
	if r.err == nil {
		r.fail(r.applyCut())
	}
	r.fail(r.text.close())
	r.fail(r.wav.close())
	return r.err
}

func (r *Recorder) fail(err error) {
	if err != nil && r.err == nil {
		r.err = err
	}
}

// frame returns the WAV frame of moment t.
func (r *Recorder) frame(t time.Time) int64 {
	d := t.Sub(r.start)
	if d < 0 {
		return 0
	}
	return int64(d) * int64(r.rate) / int64(time.Second)
}

func (r *Recorder) offset(t time.Time) float64 {
	return max(0, t.Sub(r.start).Seconds())
}

// record records a symbol of role's side; input is true for what the
// session sends.
func (r *Recorder) record(s fullduplex.Symbol, role string, input bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done || r.err != nil {
		return
	}
	switch s.Modality {
	case fullduplex.ModalityText:
		text, _ := s.TextValue()
		r.fail(r.text.say(role, text, r.offset(s.Timestamp)))
		if input {
			r.fail(r.text.endText()) // a typed line is a turn of its own
		}
	case fullduplex.ModalityAudio:
		ch := right
		if role == fullduplex.RoleUser {
			ch = left
		}
		r.fail(r.audio(ch, s))
	}
}

// audio places s on channel ch: the user's chunk ends at its Timestamp;
// the model's starts at its Timestamp or where the model's audio before it
// ends, whichever is later.
func (r *Recorder) audio(ch int, s fullduplex.Symbol) error {
	if err := s.Validate(); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	sd := &r.sides[ch]
	samples, err := r.mono(sd, s)
	if err != nil {
		return err
	}
	if len(samples) == 0 {
		return nil
	}
	at := s.Timestamp
	if ch == left {
		at = at.Add(-s.Duration())
	}
	pos := r.frame(at)
	if ch == right {
		if err := r.applyCut(); err != nil {
			return err
		}
		pos = max(pos, sd.cursor)
	} else if sd.begun && pos < sd.cursor+r.frame(r.start.Add(jitter)) {
		pos = sd.cursor // the next chunk of continuous input
	}
	sd.begun = true
	if pos+int64(len(samples)) > r.limit {
		return fmt.Errorf("record: audio at %v is past MaxDuration", at.Sub(r.start))
	}
	sd.cursor = pos + int64(len(samples))
	return r.wav.put(ch, pos, samples)
}

// mono returns s's samples as mono at the recording's rate.
func (r *Recorder) mono(sd *side, s fullduplex.Symbol) ([]int16, error) {
	var err error
	sd.buf, err = pcm.DecodeInt16(sd.buf[:0], s.Data)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if ch := s.Channels(); ch > 1 {
		if sd.buf, err = pcm.Downmix(sd.buf, sd.buf, ch); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
	}
	rate := s.SampleRate()
	if rate == r.rate {
		return sd.buf, nil
	}
	if sd.rs == nil || sd.rs.InRate() != rate {
		if sd.rs, err = pcm.NewResampler(rate, r.rate); err != nil {
			return nil, fmt.Errorf("record: %w", err)
		}
	}
	sd.out = sd.rs.Process(sd.out[:0], sd.buf)
	return sd.out, nil
}

// applyCut silences the model's audio that a Flush cut.
func (r *Recorder) applyCut() error {
	from, to := r.cut[0], r.cut[1]
	r.cut = [2]int64{}
	if to <= from {
		return nil
	}
	return r.wav.zero(right, from, to)
}

// event records a moment of the conversation in the transcript.
func (r *Recorder) event(ev fullduplex.StreamEvent) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.done || r.err != nil {
		return
	}
	e := Entry{T: r.offset(ev.Timestamp)}
	switch ev.Type {
	case fullduplex.EventStreamEnd, fullduplex.EventInterrupt:
		r.turns++
		e.Type, e.Turn, e.Interrupted = "turn_end", r.turns, ev.Type == fullduplex.EventInterrupt
		if te, ok := ev.Data.(fullduplex.TurnEnd); ok {
			e.Reason = te.Reason
		}
	case fullduplex.EventToolCall:
		c, _ := ev.Data.(fullduplex.ToolCall)
		e.Type, e.Tool, e.CallID = "tool_call", c.Name, c.ID
	case fullduplex.EventReconnect:
		e.Type = "reconnect"
	case fullduplex.EventMetrics:
		m, _ := ev.Data.(fullduplex.TurnMetrics)
		e.Type, e.Turn, e.Interrupted, e.Cost = "metrics", m.Turn, m.Interrupted, m.Cost
		e.TimeToFirstAudioMS = ms(m.TimeToFirstAudio)
		e.TimeToPlayedMS = ms(m.TimeToFirstPlayed)
		e.BargeInToSilenceMS = ms(m.BargeIn.ToSilence())
	default:
		return
	}
	r.fail(r.text.add(e))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
