package openaicompat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync/atomic"
	"time"
)

// ErrStalled is wrapped by the error of a call whose server went silent:
// no first byte within Config.FirstByteTimeout, or no data for
// Config.IdleTimeout once the answer had started. The call ends; the
// conversation goes on.
var ErrStalled = errors.New("openaicompat: the server went silent")

// A stallWatch cancels a call's context when its server goes silent: after
// the first-byte timeout until the body's first byte, then after the idle
// timeout since the last read. Its methods are called by the one goroutine
// making the call; the timer's function runs on its own and only reads
// started.
type stallWatch struct {
	ctx             context.Context
	cancel          context.CancelCauseFunc
	firstByte, idle time.Duration // <= 0: no limit
	timer           *time.Timer   // nil while no limit applies
	started         atomic.Bool   // the body's first byte has come
}

// watchStall returns ctx with a stall watch over it. A timeout of 0 means
// its default; a negative one, no limit.
func watchStall(ctx context.Context, firstByte, idle time.Duration) (context.Context, *stallWatch) {
	if firstByte == 0 {
		firstByte = DefaultFirstByteTimeout
	}
	if idle == 0 {
		idle = DefaultIdleTimeout
	}
	w := &stallWatch{firstByte: firstByte, idle: idle}
	w.ctx, w.cancel = context.WithCancelCause(ctx)
	if firstByte > 0 {
		w.timer = time.AfterFunc(firstByte, w.expire)
	}
	return w.ctx, w
}

// expire cancels the call with the timeout that ran out.
func (w *stallWatch) expire() {
	if w.started.Load() {
		w.cancel(fmt.Errorf("%w: no data for %v (Config.IdleTimeout)", ErrStalled, w.idle))
		return
	}
	w.cancel(fmt.Errorf("%w: no answer within %v (Config.FirstByteTimeout)", ErrStalled, w.firstByte))
}

// read notes that bytes came: the idle timeout starts again.
func (w *stallWatch) read() {
	w.started.Store(true)
	switch {
	case w.idle <= 0:
		if w.timer != nil {
			w.timer.Stop()
		}
	case w.timer == nil:
		w.timer = time.AfterFunc(w.idle, w.expire)
	case w.timer.Stop(): // not fired yet
		w.timer.Reset(w.idle)
	}
}

// stop releases the watch.
func (w *stallWatch) stop() {
	if w.timer != nil {
		w.timer.Stop()
	}
	w.cancel(nil)
}

// err returns the stall that cancelled the call, or nil.
func (w *stallWatch) err() error {
	if cause := context.Cause(w.ctx); errors.Is(cause, ErrStalled) {
		return cause
	}
	return nil
}

// reader returns body with every read re-arming the idle timeout.
func (w *stallWatch) reader(body io.ReadCloser) io.ReadCloser {
	return &stallReader{ReadCloser: body, w: w}
}

type stallReader struct {
	io.ReadCloser
	w *stallWatch
}

func (r *stallReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	if n > 0 {
		r.w.read()
	}
	return n, err
}
