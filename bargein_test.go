package fullduplex_test

import (
	"context"
	"io"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// player is a Sink + Flusher that models a speaker queue: Flush drops what
// is queued. It counts, per turn, the samples written before and after the
// first flush, and the samples still queued to play; turn -1 stands for
// audio without MetaTurn.
type player struct {
	mu         sync.Mutex
	flushes    int
	queued     map[int]int // samples waiting to play, per turn
	before     map[int]int
	afterFlush map[int]int
	onAudio    func(n int) // called inside Write with the audio count so far
	audio      int
}

func newPlayer() *player {
	return &player{queued: map[int]int{}, before: map[int]int{}, afterFlush: map[int]int{}}
}

func (p *player) Write(_ context.Context, item fd.StreamItem) error {
	s, ok := item.(fd.Symbol)
	if !ok || s.Modality != fd.ModalityAudio {
		return nil
	}
	turn, ok := s.Turn()
	if !ok {
		turn = -1
	}
	p.mu.Lock()
	samples := len(s.Data) / 2
	p.queued[turn] += samples
	if p.flushes == 0 {
		p.before[turn] += samples
	} else {
		p.afterFlush[turn] += samples
	}
	p.audio++
	n, cb := p.audio, p.onAudio
	p.mu.Unlock()
	if cb != nil {
		cb(n)
	}
	return nil
}

func (p *player) Flush() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.flushes++
	clear(p.queued)
}

const chunk = 480 // samples in a 20 ms chunk at 24 kHz

func TestBargeInFromStreamDropsRestOfTurn(t *testing.T) {
	ctx := testCtx(t)
	fs := connectedFake(t)
	pcm := make([]byte, 2*chunk)
	for range 5 {
		fs.EmitAudio(pcm, 24000, 1)
	}
	fs.EmitEvent(fd.EventInterrupt, nil)
	for range 3 {
		fs.EmitAudio(pcm, 24000, 1) // still arriving from the interrupted turn
	}
	for range 4 {
		fs.EmitAudio(pcm, 24000, 2)
	}
	fs.EmitEvent(fd.EventStreamEnd, nil)
	fs.End()

	p := newPlayer()
	var rec fullduplextest.Recorder
	require.NoError(t, fd.NewDuplexSession(fs).RunDuplex(ctx, nil, fd.MultiSink(p, &rec)))

	assert.Equal(t, 1, p.flushes)
	assert.Equal(t, 5*chunk, p.before[1])
	assert.Zero(t, p.afterFlush[1], "no sample of the interrupted turn after the flush")
	assert.Equal(t, 4*chunk, p.afterFlush[2], "the next turn plays in full")
	assert.Equal(t, map[int]int{2: 4 * chunk}, p.queued)
	assert.Equal(t, []fd.EventType{fd.EventInterrupt, fd.EventStreamEnd}, rec.Events(), "the interrupt is passed on after the flush")
}

// A sink may call Interrupt from its own Write (a VAD or a keyword spotter
// on the receive path): no deadlock, and the cut happens before the next item.
// Without MetaTurn the session counts turns at boundaries.
func TestClientInterruptFromInsideWriteWithoutTurnMetadata(t *testing.T) {
	ctx := testCtx(t)
	fs := connectedFake(t)
	pcm := make([]byte, 2*chunk)
	for range 5 {
		fs.Emit(fd.AudioSymbol(pcm, 24000))
	}
	for range 3 {
		fs.Emit(fd.AudioSymbol(pcm, 24000)) // the server has not noticed yet
	}
	fs.EmitEvent(fd.EventInterrupt, nil) // now it has
	for range 4 {
		fs.Emit(fd.AudioSymbol(pcm, 24000))
	}

	sess := fd.NewDuplexSession(fs)
	p := newPlayer()
	p.onAudio = func(n int) {
		if n == 5 {
			sess.Interrupt()
		}
	}
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, nil, p) }()
	require.NoError(t, fs.WaitInterrupts(ctx, 1), "the stream is told about the client interrupt")
	fs.End()
	require.NoError(t, <-done)

	assert.Equal(t, 5*chunk, p.before[-1])
	assert.Equal(t, 4*chunk, p.afterFlush[-1], "only the next turn's audio after the flush")
	assert.Equal(t, map[int]int{-1: 4 * chunk}, p.queued)
}

// Interrupt from another goroutine while audio streams in: nothing of the
// interrupted turn may be written after the flush, whatever the timing.
func TestClientInterruptConcurrentWithDelivery(t *testing.T) {
	for range 20 {
		ctx := testCtx(t)
		fs := connectedFake(t)
		pcm := make([]byte, 2*chunk)
		sess := fd.NewDuplexSession(fs)
		p := newPlayer()
		reached := make(chan struct{})
		var once sync.Once
		p.onAudio = func(n int) {
			if n == 20 {
				once.Do(func() { close(reached) })
			}
		}
		go func() {
			for range 100 {
				fs.EmitAudio(pcm, 24000, 1)
			}
			<-reached
			sess.Interrupt()
			for range 50 {
				fs.EmitAudio(pcm, 24000, 1)
			}
			for range 10 {
				fs.EmitAudio(pcm, 24000, 2)
			}
			fs.End()
		}()
		require.NoError(t, sess.RunDuplex(ctx, nil, p))
		assert.GreaterOrEqual(t, p.flushes, 1)
		assert.Equal(t, map[int]int{2: 10 * chunk}, p.queued, "nothing of the interrupted turn is left to play")
		assert.Equal(t, 10*chunk, p.afterFlush[2])
	}
}

func TestInterruptWhileSilentDoesNotDropNextTurn(t *testing.T) {
	ctx := testCtx(t)
	fs := connectedFake(t)
	fs.Emit(fd.AudioSymbol(make([]byte, 2*chunk), 24000))
	fs.EmitEvent(fd.EventStreamEnd, nil)
	fs.EmitText("marker")
	sess := fd.NewDuplexSession(fs)
	p := newPlayer()
	var once sync.Once
	ready := make(chan struct{})
	sink := fd.MultiSink(p, fd.SinkFunc(func(_ context.Context, it fd.StreamItem) error {
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityText {
			once.Do(func() { close(ready) })
		}
		return nil
	}))
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, nil, sink) }()
	<-ready
	sess.Interrupt() // the user talks over silence: the turn already ended
	fs.Emit(fd.AudioSymbol(make([]byte, 2*chunk), 24000))
	fs.End()
	require.NoError(t, <-done)
	assert.Equal(t, chunk, p.afterFlush[-1], "the next reply is not dropped")
}

func TestResetClearsDropping(t *testing.T) {
	ctx := testCtx(t)
	fs := connectedFake(t)
	pcm := make([]byte, 2*chunk)
	fs.EmitAudio(pcm, 24000, 1)
	sess := fd.NewDuplexSession(fs)
	p := newPlayer()
	p.onAudio = func(n int) {
		if n == 1 {
			sess.Interrupt()
			sess.Reset()
		}
	}
	go func() {
		fs.EmitAudio(pcm, 24000, 1)
		fs.End()
	}()
	require.NoError(t, sess.RunDuplex(ctx, nil, p))
	// Interrupt from inside Write flushes at once and leaves the cut
	// pending; Reset replaces the pending cut, so turn 1 goes on playing.
	assert.Equal(t, 1, p.flushes)
	assert.Equal(t, chunk, p.before[1])
	assert.Equal(t, map[int]int{1: chunk}, p.queued)
}

// orderStream records the order in which the session calls the stream.
type orderStream struct {
	*fullduplextest.FakeStream
	mu  sync.Mutex
	log []string
}

func (o *orderStream) record(s string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.log = append(o.log, s)
}

func (o *orderStream) Send(ctx context.Context, s fd.Symbol) error {
	v, _ := s.TextValue()
	o.record("send " + v)
	return o.FakeStream.Send(ctx, s)
}

func (o *orderStream) InterruptOutput(ctx context.Context) error {
	o.record("interrupt")
	return o.FakeStream.InterruptOutput(ctx)
}

// An interrupt never overtakes the input that follows it: a turn-based
// backend would otherwise cancel the answer to the new input.
func TestInterruptReachesStreamBeforeLaterInput(t *testing.T) {
	for range 50 {
		ctx := testCtx(t)
		os := &orderStream{FakeStream: connectedFake(t)}
		sess := fd.NewDuplexSession(os)
		typed := make(chan fd.Symbol)
		src := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
			select {
			case s := <-typed:
				return s, nil
			case <-ctx.Done():
				return fd.Symbol{}, ctx.Err()
			}
		})
		done := make(chan error, 1)
		go func() { done <- sess.RunDuplex(ctx, src, nil) }()
		typed <- fd.TextSymbol("first")
		_, err := os.WaitSent(ctx, 1)
		require.NoError(t, err)
		sess.Interrupt()                 // the user cuts the answer off ...
		typed <- fd.TextSymbol("second") // ... with a new message
		_, err = os.WaitSent(ctx, 2)
		require.NoError(t, err)
		os.End()
		require.NoError(t, <-done)
		os.mu.Lock()
		assert.Equal(t, []string{"send first", "interrupt", "send second"}, os.log)
		os.mu.Unlock()
	}
}

// backpressured is a speaker whose queue is full: Write waits for room,
// which only Flush (or ctx) makes.
type backpressured struct {
	player
	full    chan struct{} // closed on the first Write that blocks
	room    chan struct{} // closed by Flush
	once    sync.Once
	flushed sync.Once
}

func (b *backpressured) Write(ctx context.Context, item fd.StreamItem) error {
	if s, ok := item.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
		b.once.Do(func() { close(b.full) })
		select {
		case <-b.room:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return b.player.Write(ctx, item)
}

func (b *backpressured) Flush() {
	b.player.Flush()
	b.flushed.Do(func() { close(b.room) })
}

// An interrupt reaches a sink whose Write is blocked on a full queue, instead
// of waiting for the queue to drain: Flush makes room at once.
func TestInterruptFlushesSinkBlockedInWrite(t *testing.T) {
	ctx := testCtx(t)
	fs := connectedFake(t)
	pcm := make([]byte, 2*chunk)
	fs.EmitAudio(pcm, 24000, 1)
	sess := fd.NewDuplexSession(fs)
	b := &backpressured{player: *newPlayer(), full: make(chan struct{}), room: make(chan struct{})}
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, nil, b) }()
	<-b.full
	sess.Interrupt()            // must not wait for room that only Flush can make
	fs.EmitAudio(pcm, 24000, 1) // late audio of the interrupted turn
	fs.EmitAudio(pcm, 24000, 2)
	fs.End()
	require.NoError(t, <-done)
	assert.GreaterOrEqual(t, b.flushes, 1)
	assert.Equal(t, map[int]int{2: chunk}, b.queued, "nothing of the interrupted turn is left to play")
}

func (o *orderStream) SendEnd(ctx context.Context) error {
	o.record("send end")
	return o.FakeStream.SendEnd(ctx)
}

// Client-side end of turn through the session (a VAD wrapping the Source)
// is ordered with everything else the session sends: after the symbols
// before it and after a pending interrupt, before what follows.
func TestSessionSendEndIsOrderedWithInterruptAndSends(t *testing.T) {
	for range 50 {
		ctx := testCtx(t)
		os := &orderStream{FakeStream: connectedFake(t)}
		sess := fd.NewDuplexSession(os)
		n := 0
		src := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
			n++
			switch n {
			case 1:
				return fd.TextSymbol("a"), nil
			case 2:
				sess.Interrupt()
				if err := sess.SendEnd(ctx); err != nil {
					return fd.Symbol{}, err
				}
				return fd.TextSymbol("b"), nil
			}
			return fd.Symbol{}, io.EOF
		})
		sink := fd.SinkFunc(func(context.Context, fd.StreamItem) error { return nil })
		require.NoError(t, sess.RunDuplex(ctx, src, sink))
		os.mu.Lock()
		assert.Equal(t, []string{"send a", "interrupt", "send end", "send b"}, os.log)
		os.mu.Unlock()
	}
}
