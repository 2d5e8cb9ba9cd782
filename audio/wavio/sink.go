package wavio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/playback"
)

// SinkConfig configures a Sink. The zero value means the defaults in each
// field's comment.
type SinkConfig struct {
	// SampleRate of the file. Default 24000 (Gemini's output rate); audio
	// of other rates is resampled.
	SampleRate int
	// Realtime makes the Sink behave like a speaker: Write queues, a
	// goroutine "plays" the queue into the file at real time in Period
	// steps and writes silence while the queue is empty, and Flush drops
	// what is queued. Default false: Write writes at once, and Flush has
	// nothing to drop.
	Realtime bool
	// Period is the playing step of a Realtime Sink. Default 10 ms.
	Period time.Duration
	// Buffer bounds the queue of a Realtime Sink; Write waits for room
	// when it is full. Default 30 s.
	Buffer time.Duration
	// LevelDecay is the time constant of Level's decay. Default 250 ms.
	LevelDecay time.Duration
}

// ErrClosed is returned by Sink.Write after Close.
var ErrClosed = errors.New("wavio: sink closed")

// A Sink writes the audio symbols it receives to a 16-bit mono WAV file and
// ignores everything else. It is a fullduplex.Sink, Flusher and
// PlaybackReporter (Played), and an OutputMonitor for package bargein.
//
// Write is for one goroutine at a time; Flush, Played, Level, Playing,
// Written and Close are safe from any goroutine.
type Sink struct {
	cfg    SinkConfig
	file   *os.File // closed by Close when the Sink opened it
	mu     sync.Mutex
	ww     *pcm.WAVWriter
	werr   error // first write error
	frames atomic.Int64

	w       *playback.Writer // Write's conversion to the file's rate
	turns   playback.Turns   // where each recent turn lies, for Played
	turn    int              // MetaTurn of the audio Write is converting (Write's goroutine)
	hasTurn bool             // that audio has a MetaTurn (Write's goroutine)

	// Realtime
	q       *playback.Queue
	meter   *playback.Meter
	levels  bargein.Levels // the level history, for the barge-in gate
	playing atomic.Bool
	stop    chan struct{}
	wg      sync.WaitGroup

	closeOnce sync.Once
	closeErr  error
}

var (
	_ fullduplex.Sink             = (*Sink)(nil)
	_ fullduplex.Flusher          = (*Sink)(nil)
	_ fullduplex.PlaybackReporter = (*Sink)(nil)
)

// CreateSink creates (or truncates) the WAV file at path; Close closes it.
func CreateSink(path string, cfg SinkConfig) (*Sink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("wavio: %w", err)
	}
	s, err := NewSink(f, cfg)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.file = f
	return s, nil
}

// NewSink writes a WAV file to w; Close finishes the file but does not
// close w. A Realtime Sink starts its playing goroutine, which Close ends.
func NewSink(w io.WriteSeeker, cfg SinkConfig) (*Sink, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 24000
	}
	if cfg.Period <= 0 {
		cfg.Period = 10 * time.Millisecond
	}
	if cfg.Buffer <= 0 {
		cfg.Buffer = 30 * time.Second
	}
	if cfg.LevelDecay <= 0 {
		cfg.LevelDecay = 250 * time.Millisecond
	}
	ww, err := pcm.NewWAVWriter(w, cfg.SampleRate, 1)
	if err != nil {
		return nil, fmt.Errorf("wavio: %w", err)
	}
	s := &Sink{cfg: cfg, ww: ww}
	if !cfg.Realtime {
		s.w = playback.NewWriter(fileOutput{s}, cfg.SampleRate, "wavio")
		return s, nil
	}
	s.q = playback.New(max(1, durSamples(cfg.Buffer, cfg.SampleRate)))
	s.meter = playback.NewMeter(cfg.LevelDecay)
	s.w = playback.NewWriter(queueOutput{s}, cfg.SampleRate, "wavio")
	s.stop = make(chan struct{})
	s.wg.Add(1)
	go s.play()
	return s, nil
}

// fileOutput writes a direct Sink's samples to the file at once.
type fileOutput struct{ s *Sink }

func (fileOutput) Generation() uint64 { return 0 }

func (o fileOutput) Push(_ context.Context, _ uint64, x []int16) error {
	at := o.s.frames.Load() // only Write's goroutine writes a direct Sink
	if err := o.s.writeSamples(x); err != nil {
		return err
	}
	if o.s.hasTurn {
		o.s.turns.Note(o.s.turn, uint64(at), len(x))
	}
	return nil
}

// queueOutput queues a Realtime Sink's samples for its playing goroutine.
type queueOutput struct{ s *Sink }

func (o queueOutput) Generation() uint64 { return o.s.q.Generation() }

func (o queueOutput) Push(ctx context.Context, gen uint64, x []int16) error {
	at := o.s.q.Pushed() // only Write's goroutine pushes
	n, err := o.s.q.Push(ctx, gen, x)
	if o.s.hasTurn {
		o.s.turns.Note(o.s.turn, uint64(at), n)
	}
	switch {
	case errors.Is(err, playback.ErrCleared):
		return nil
	case errors.Is(err, playback.ErrClosed):
		return ErrClosed
	}
	return err
}

// Write resamples an audio Symbol (16-bit PCM of any rate and channel
// count) to the file's rate and writes it (or queues it, when Realtime);
// EventStreamEnd writes the resampler's last samples of the turn. Other
// items are ignored. Errors: a malformed symbol (wrapping
// fullduplex.ErrInvalidSymbol), ErrClosed, a write error, ctx's error.
// (audio.Speaker converts the same way: both use one internal pipeline.)
func (s *Sink) Write(ctx context.Context, item fullduplex.StreamItem) error {
	if sym, ok := item.(fullduplex.Symbol); ok && sym.Modality == fullduplex.ModalityAudio {
		s.turn, s.hasTurn = sym.Turn()
	}
	return s.w.Write(ctx, item)
}

func (s *Sink) writeSamples(x []int16) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.werr != nil {
		return s.werr
	}
	if s.ww == nil {
		return ErrClosed
	}
	if err := s.ww.WriteSamples(x); err != nil {
		s.werr = fmt.Errorf("wavio: %w", err)
		return s.werr
	}
	s.frames.Add(int64(len(x)))
	return nil
}

// play is the Realtime Sink's clock: every Period it moves one Period of
// queued audio (or silence) into the file.
func (s *Sink) play() {
	defer s.wg.Done()
	n := max(1, durSamples(s.cfg.Period, s.cfg.SampleRate))
	buf := make([]int16, n)
	start := time.Now()
	var steps int64
	t := time.NewTimer(s.cfg.Period)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
		}
		// Catch up on every step that is due, so the file keeps wall time.
		due := int64(time.Since(start) / s.cfg.Period)
		for ; steps < due; steps++ {
			k := s.q.Pull(buf)
			clear(buf[k:])
			s.playing.Store(k > 0)
			now := time.Now().UnixNano()
			s.meter.Note(buf, now)
			s.levels.Note(time.Unix(0, now), pcm.RMS(buf))
			if err := s.writeSamples(buf); err != nil {
				return
			}
		}
		t.Reset(start.Add(time.Duration(steps+1) * s.cfg.Period).Sub(time.Now()))
	}
}

// Flush drops the queue of a Realtime Sink (the file gets silence from the
// next Period on); for a direct Sink there is nothing to drop.
func (s *Sink) Flush() {
	if s.q != nil {
		r := s.q.Read()
		s.q.Clear()
		s.turns.Cut(uint64(r))
	}
}

// Played reports how much of model turn turn (the MetaTurn of its audio
// symbols) is in the file (fullduplex.PlaybackReporter): for a Realtime
// Sink, what its clock has played so far, and of a turn a Flush cut, what
// it had played at the flush (within one Period); for a direct Sink, everything written, at once. It
// is 0 for a turn the Sink never got and for turns older than the latest
// 64. Safe from any goroutine.
func (s *Sink) Played(turn int) time.Duration {
	heard := s.frames.Load()
	if s.q != nil {
		heard = s.q.Read()
	}
	return s.turns.Played(turn, uint64(heard), s.cfg.SampleRate)
}

// Playing reports whether a Realtime Sink has audio queued or played some in
// its latest step; a direct Sink never plays.
func (s *Sink) Playing() bool {
	return s.q != nil && (s.q.Len() > 0 || s.playing.Load())
}

// Level is the recent output level of a Realtime Sink (linear RMS, a peak
// decaying with LevelDecay); 0 for a direct Sink.
func (s *Sink) Level() float64 {
	if s.meter == nil {
		return 0
	}
	return s.meter.Level(time.Now().UnixNano())
}

// Queued returns the samples waiting to be played by a Realtime Sink.
func (s *Sink) Queued() int {
	if s.q == nil {
		return 0
	}
	return s.q.Len()
}

// Drain waits until a Realtime Sink has played its queue, or ctx is done.
func (s *Sink) Drain(ctx context.Context) error {
	if s.q == nil {
		return nil
	}
	t := time.NewTicker(s.cfg.Period)
	defer t.Stop()
	for s.q.Len() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-s.q.Done():
			return ErrClosed
		case <-t.C:
		}
	}
	return nil
}

// Written returns the samples written to the file so far.
func (s *Sink) Written() int64 { return s.frames.Load() }

// SampleRate returns the file's rate.
func (s *Sink) SampleRate() int { return s.cfg.SampleRate }

// Close stops a Realtime Sink's goroutine (queued audio is dropped),
// finishes the WAV header, and closes the file if the Sink created it. It
// is idempotent.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() {
		if s.q != nil {
			s.q.Close()
			close(s.stop)
			s.wg.Wait()
		}
		s.mu.Lock()
		err := s.ww.Close()
		s.ww = nil
		s.mu.Unlock()
		if s.file != nil {
			if cerr := s.file.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			s.closeErr = fmt.Errorf("wavio: %w", err)
		}
	})
	return s.closeErr
}
