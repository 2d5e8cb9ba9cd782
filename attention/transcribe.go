package attention

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// A transcriber is an Input's Transcriber as Run uses it: the input's
// reader sends it the audio, and transcribe passes on its transcripts.
type transcriber struct {
	s    fullduplex.DuplexStream
	done chan struct{} // closed when transcribe returns

	mu   sync.Mutex
	last time.Time // media time of the latest audio sent
}

// hear sends the input's audio symbol s to the transcriber; at the input's
// end (eof) it ends the transcriber's input and waits until its
// transcripts have all been passed on.
func (t *transcriber) hear(ctx context.Context, s fullduplex.Symbol, eof bool) error {
	if eof {
		if err := closeSend(ctx, t.s); err != nil {
			return err
		}
		select {
		case <-t.done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.Modality != fullduplex.ModalityAudio {
		return nil
	}
	t.mu.Lock()
	if s.Timestamp.After(t.last) {
		t.last = s.Timestamp
	}
	t.mu.Unlock()
	if err := t.s.Send(ctx, s); err != nil && !errors.Is(err, fullduplex.ErrInvalidSymbol) {
		return err
	}
	return nil
}

// transcribe passes the user transcripts of input i's transcriber on to
// Next as the input's, until the transcriber ends.
func (a *Source) transcribe(ctx context.Context, i int, name string, t *transcriber) error {
	defer close(t.done)
	for {
		it, err := t.s.Receive(ctx)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("attention: input %q: transcriber: %w", name, err)
		}
		s, ok := it.(fullduplex.Symbol)
		if !ok || s.Modality != fullduplex.ModalityText || s.Role() != fullduplex.RoleUser {
			continue
		}
		if tr, _ := s.Metadata[fullduplex.MetaTranscript].(bool); !tr {
			continue
		}
		t.mu.Lock()
		if !t.last.IsZero() {
			s.Timestamp = t.last
		}
		t.mu.Unlock()
		if err := a.box.put(ctx, len(a.inputs)+i, read{i: i, slot: len(a.inputs) + i, sym: s}); err != nil {
			return err
		}
	}
}
