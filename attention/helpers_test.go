package attention_test

import (
	"context"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// t0 is the media time the scripted inputs start at.
var t0 = time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)

const frame = 20 * time.Millisecond

// script builds one input's symbols on a 20 ms media clock.
type script struct {
	at   time.Duration
	syms []fd.Symbol
}

func (s *script) audio(loud bool, d time.Duration) *script {
	for ; d > 0; d -= frame {
		var x []int16
		if loud {
			x = pcm.AppendTone(nil, 440, 0.3, 16000, 320)
		} else {
			x = pcm.AppendSilence(nil, 320)
		}
		sym := fd.AudioSymbol(pcm.EncodeInt16(nil, x), 16000)
		sym.Timestamp = t0.Add(s.at)
		s.at += frame
		s.syms = append(s.syms, sym)
	}
	return s
}

func (s *script) speech(d time.Duration) *script  { return s.audio(true, d) }
func (s *script) silence(d time.Duration) *script { return s.audio(false, d) }

func (s *script) text(text string, transcript bool) *script {
	sym := fd.TextSymbol(text)
	if transcript {
		sym.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaRole: fd.RoleUser}
	}
	sym.Timestamp = t0.Add(s.at)
	s.syms = append(s.syms, sym)
	return s
}

func (s *script) video(b byte, d time.Duration, every time.Duration) *script {
	for end := s.at + d; s.at < end; s.at += every {
		f := make([]byte, 64)
		for i := range f {
			f[i] = b
		}
		sym := fd.VideoSymbol(f, "image/raw")
		sym.Timestamp = t0.Add(s.at)
		s.syms = append(s.syms, sym)
	}
	return s
}

// sequence feeds several scripts to an attending Source in media-time
// order (ties: the lower input first), one symbol at a time: an input's
// next symbol is handed out only after the previous symbol handed out has
// been queued for the Source (its input called Next again), so the Source
// reads them in exactly that order. An input's end is part of the order
// too: it is handed out after the input's last symbol, and the next symbol
// waits until the Source's reader reports the end put (TestMain's hook).
type sequence struct {
	mu          sync.Mutex
	changed     chan struct{}
	syms        [][]fd.Symbol
	pos         []int
	order       []int
	k           int
	outstanding int // input whose symbol or end is on its way to the Source; -1: none
}

func newSequence(scripts ...*script) *sequence {
	q := &sequence{changed: make(chan struct{}), outstanding: -1}
	for _, s := range scripts {
		q.syms = append(q.syms, s.syms)
	}
	q.pos = make([]int, len(scripts))
	pos := make([]int, len(scripts))
	for {
		best := -1
		for i := range q.syms {
			if pos[i] < len(q.syms[i]) && (best < 0 || q.syms[i][pos[i]].Timestamp.Before(q.syms[best][pos[best]].Timestamp)) {
				best = i
			}
		}
		if best < 0 {
			break
		}
		q.order = append(q.order, best)
		pos[best]++
	}
	return q
}

// A sequenceInput is input i of a sequence, as a Source; a pointer, so
// that TestMain's hook can recognise it.
type sequenceInput struct {
	q *sequence
	i int
}

func (q *sequence) source(i int) fd.Source { return &sequenceInput{q: q, i: i} }

// release lets the next symbol or end be handed out; q.mu is held.
func (q *sequence) release() {
	q.outstanding = -1
	close(q.changed)
	q.changed = make(chan struct{})
}

// ended is called when input i's end was put for the Source.
func (q *sequence) ended(i int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.outstanding == i {
		q.release()
	}
}

func (in *sequenceInput) Next(ctx context.Context) (fd.Symbol, error) {
	q, i := in.q, in.i
	q.mu.Lock()
	if q.outstanding == i {
		q.release()
	}
	for {
		if q.outstanding < 0 {
			if q.pos[i] >= len(q.syms[i]) {
				q.outstanding = i
				q.mu.Unlock()
				return fd.Symbol{}, io.EOF
			}
			if q.order[q.k] == i {
				q.k++
				q.outstanding = i
				s := q.syms[i][q.pos[i]]
				q.pos[i]++
				q.mu.Unlock()
				return s, nil
			}
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return fd.Symbol{}, ctx.Err()
		}
		q.mu.Lock()
	}
}

// inputs returns one Input per script, named by names.
func (q *sequence) inputs(names ...string) []attention.Input {
	var ins []attention.Input
	for i, n := range names {
		ins = append(ins, attention.Input{Name: n, Source: q.source(i)})
	}
	return ins
}

// run reads src to the end, with Run beside it, and returns what Next
// returned.
func run(t *testing.T, a *attention.Source) []fd.Symbol {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	var got []fd.Symbol
	for {
		s, err := a.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		got = append(got, s)
	}
	require.NoError(t, <-errc)
	return got
}
