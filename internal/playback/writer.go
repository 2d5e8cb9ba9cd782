package playback

import (
	"context"
	"fmt"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// An Output is where a Writer puts the samples it converted: a device's ring,
// a Queue, a file. A Writer calls it from the goroutine that calls
// Writer.Write; the Output's own flush may come from any goroutine, and
// Generation is how the Writer sees it.
type Output interface {
	// Generation returns the output's current generation: it changes when
	// queued audio is dropped (a flush), so audio converted before that
	// belongs to a turn that was cut off.
	Generation() uint64
	// Push queues s (mono, at the Writer's rate) as audio of generation
	// gen, waiting for room until ctx is done. When gen has ended (a
	// flush came first, or comes while Push waits), the samples not yet
	// queued are dropped and Push returns nil.
	Push(ctx context.Context, gen uint64, s []int16) error
}

// A Writer is the Write method of an audio output sink (a speaker, a WAV
// file): it turns model audio symbols (16-bit PCM of any rate and channel
// count) into mono samples at the output's rate (decode, downmix,
// resample) and pushes them to its Output. The resampler carries a turn's
// signal across symbols; a new Output generation drops the resampler's
// tail of the flushed audio; EventStreamEnd pushes the turn's last samples.
// Other items are ignored. In steady state Write allocates nothing.
//
// Write is for one goroutine at a time.
type Writer struct {
	out    Output
	rate   int
	prefix string // of errors, e.g. "audio: speaker"

	mu     sync.Mutex // guards the fields below (Write is one goroutine at a time; the lock keeps a misuse safe)
	rs     *pcm.Resampler
	rsRate int
	gen    uint64 // generation the resampler's state belongs to
	dec    []int16
	mono   []int16
	res    []int16
}

// NewWriter returns a Writer that pushes samples at rate to out; errors
// start with prefix.
func NewWriter(out Output, rate int, prefix string) *Writer {
	return &Writer{out: out, rate: rate, prefix: prefix}
}

// Rate returns the output rate.
func (w *Writer) Rate() int { return w.rate }

// Write converts and pushes an audio Symbol, or at EventStreamEnd the
// resampler's tail of the turn; it ignores other items. Errors: a malformed
// symbol (wrapping fullduplex.ErrInvalidSymbol) and the Output's.
func (w *Writer) Write(ctx context.Context, item fullduplex.StreamItem) error {
	switch it := item.(type) {
	case fullduplex.Symbol:
		if it.Modality != fullduplex.ModalityAudio {
			return nil
		}
		return w.writeAudio(ctx, it)
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd {
			return w.endTurn(ctx)
		}
	}
	return nil
}

func (w *Writer) writeAudio(ctx context.Context, sym fullduplex.Symbol) error {
	if len(sym.Data) == 0 {
		return nil
	}
	rate, ch := sym.SampleRate(), sym.Channels()
	if rate < pcm.MinRate || rate > pcm.MaxRate || ch < 1 || len(sym.Data)%(2*ch) != 0 {
		return fmt.Errorf("%s: %w: %d bytes at %d Hz, %d channel(s)", w.prefix, fullduplex.ErrInvalidSymbol, len(sym.Data), rate, ch)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	gen := w.out.Generation()
	switch {
	case rate != w.rsRate || w.rs == nil:
		rs, err := pcm.NewResampler(rate, w.rate)
		if err != nil {
			return fmt.Errorf("%s: %w: %w", w.prefix, fullduplex.ErrInvalidSymbol, err)
		}
		w.rs, w.rsRate = rs, rate
	case gen != w.gen:
		w.rs.Reset() // drop the tail of the flushed audio
	}
	w.gen = gen
	var err error
	if w.dec, err = pcm.DecodeInt16(w.dec[:0], sym.Data); err != nil {
		return fmt.Errorf("%s: %w: %w", w.prefix, fullduplex.ErrInvalidSymbol, err)
	}
	src := w.dec
	if ch > 1 {
		w.mono, _ = pcm.Downmix(w.mono[:0], w.dec, ch)
		src = w.mono
	}
	w.res = w.rs.Process(w.res[:0], src)
	return w.out.Push(ctx, gen, w.res)
}

// endTurn pushes the resampler's tail at the end of a model turn, unless
// the turn's audio was flushed.
func (w *Writer) endTurn(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.rs == nil {
		return nil
	}
	if w.out.Generation() != w.gen {
		w.rs.Reset()
		return nil
	}
	w.res = w.rs.Flush(w.res[:0])
	if len(w.res) == 0 {
		return nil
	}
	return w.out.Push(ctx, w.gen, w.res)
}
