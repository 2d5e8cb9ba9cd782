package wavio

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// SourceConfig configures a Source. The zero value means the defaults in
// each field's comment.
type SourceConfig struct {
	// SampleRate of the symbols. Default 16000.
	SampleRate int
	// Chunk is the length of each symbol, 10 ms to 100 ms. Default 20 ms.
	Chunk time.Duration
	// Realtime paces Next like a microphone: each chunk is returned when
	// its last sample would have been captured, counted from the first
	// call of Next. Default false: as fast as the caller reads.
	Realtime bool
	// LeadSilence and TrailSilence add digital silence before and after
	// the file's audio. Default none.
	LeadSilence, TrailSilence time.Duration
	// Role is Metadata[MetaRole] of each symbol. Default "user".
	Role string
}

// A Source is a fullduplex.Source of a WAV file's audio.
//
// Next is for one goroutine at a time; Close is safe from any goroutine.
type Source struct {
	cfg     SourceConfig
	samples []int16 // the whole signal at cfg.SampleRate, silences included
	chunk   int
	pos     int
	start   time.Time
	timer   *time.Timer
	closed  atomic.Bool
	done    chan struct{}
}

var _ fullduplex.Source = (*Source)(nil)

// OpenSource reads the WAV file at path (16-bit PCM, any rate and channel
// count) into a Source.
func OpenSource(path string, cfg SourceConfig) (*Source, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("wavio: %w", err)
	}
	defer f.Close()
	s, err := NewSource(f, cfg)
	if err != nil {
		return nil, fmt.Errorf("wavio: %s: %w", path, err)
	}
	return s, nil
}

// NewSource reads a whole WAV stream from r into a Source.
func NewSource(r io.Reader, cfg SourceConfig) (*Source, error) {
	if cfg.SampleRate == 0 {
		cfg.SampleRate = 16000
	}
	if cfg.Chunk == 0 {
		cfg.Chunk = 20 * time.Millisecond
	}
	if cfg.Chunk < 10*time.Millisecond || cfg.Chunk > 100*time.Millisecond {
		return nil, fmt.Errorf("wavio: Chunk %v (want 10ms to 100ms)", cfg.Chunk)
	}
	if cfg.LeadSilence < 0 || cfg.TrailSilence < 0 {
		return nil, fmt.Errorf("wavio: negative silence")
	}
	if cfg.Role == "" {
		cfg.Role = fullduplex.RoleUser
	}
	w, err := pcm.ReadWAV(r)
	if err != nil {
		return nil, err
	}
	mono, err := w.Mono()
	if err != nil {
		return nil, err
	}
	rs, err := pcm.NewResampler(w.SampleRate, cfg.SampleRate)
	if err != nil {
		return nil, err
	}
	lead := durSamples(cfg.LeadSilence, cfg.SampleRate)
	samples := pcm.AppendSilence(nil, lead)
	samples = rs.Process(samples, mono)
	samples = rs.Flush(samples)
	samples = pcm.AppendSilence(samples, durSamples(cfg.TrailSilence, cfg.SampleRate))
	return &Source{
		cfg:     cfg,
		samples: samples,
		chunk:   max(1, durSamples(cfg.Chunk, cfg.SampleRate)),
		done:    make(chan struct{}),
	}, nil
}

func durSamples(d time.Duration, rate int) int {
	return int(int64(rate) * int64(d) / int64(time.Second))
}

// Duration returns the length of the whole signal, silences included.
func (s *Source) Duration() time.Duration {
	return time.Duration(len(s.samples)) * time.Second / time.Duration(s.cfg.SampleRate)
}

// Samples returns the whole signal at the Source's rate (shared: do not
// modify).
func (s *Source) Samples() []int16 { return s.samples }

// Next returns the next chunk; the last one may be shorter. It returns
// io.EOF at the end and after Close.
func (s *Source) Next(ctx context.Context) (fullduplex.Symbol, error) {
	if s.closed.Load() || s.pos >= len(s.samples) {
		return fullduplex.Symbol{}, io.EOF
	}
	if err := ctx.Err(); err != nil {
		return fullduplex.Symbol{}, err
	}
	end := min(s.pos+s.chunk, len(s.samples))
	if s.cfg.Realtime {
		if s.start.IsZero() {
			s.start = time.Now()
		}
		due := s.start.Add(time.Duration(end) * time.Second / time.Duration(s.cfg.SampleRate))
		if wait := time.Until(due); wait > 0 {
			if s.timer == nil {
				s.timer = time.NewTimer(wait)
			} else {
				s.timer.Reset(wait)
			}
			select {
			case <-s.timer.C:
			case <-ctx.Done():
				s.timer.Stop()
				return fullduplex.Symbol{}, ctx.Err()
			case <-s.done:
				s.timer.Stop()
				return fullduplex.Symbol{}, io.EOF
			}
		}
	}
	sym := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, s.samples[s.pos:end]), s.cfg.SampleRate)
	sym = sym.WithMeta(fullduplex.MetaRole, s.cfg.Role)
	s.pos = end
	return sym, nil
}

// Close ends the Source: Next returns io.EOF, at once if it is waiting. It
// is idempotent.
func (s *Source) Close() error {
	if s.closed.CompareAndSwap(false, true) {
		close(s.done)
	}
	return nil
}
