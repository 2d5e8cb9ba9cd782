package realtime_test

import (
	"context"
	"errors"
	"iter"
	"sync"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTurnModelFunc(t *testing.T) {
	m := realtime.TurnModelFunc(func(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fd.StreamItem, error] {
		return func(yield func(fd.StreamItem, error) bool) {
			yield(fd.TextSymbol(prompt[len(prompt)-1].Text()+"!"), nil)
		}
	})
	st := start(t, m, realtime.Config{})
	say(t, st, "hey")
	assert.Equal(t, "hey!", answer(t, st))
}

// A user turn that fell out of the window before it was complete is
// reported, not sent as an empty prompt.
func TestTurnOlderThanTheWindow(t *testing.T) {
	clk := newClock()
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Window: time.Minute, Now: clk.Now, Triggers: realtime.TriggerSendEnd})
	say(t, st, "long ago")
	clk.Advance(2 * time.Minute)
	require.NoError(t, st.SendEnd(ctxT(t)))
	ev := requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorContains(t, ev.Data.(error), "older than the prompt window")
	assert.Zero(t, m.Calls())
	say(t, st, "now")
	require.NoError(t, st.SendEnd(ctxT(t)))
	assert.Equal(t, "You said: now", answer(t, st))
}

// A transcript without MetaFinal may still change: it stays out of the
// prompt and triggers nothing; it is not echoed unless asked.
func TestTranscriptWithoutFinalKey(t *testing.T) {
	m := realtimetest.NewModel()
	st := start(t, m, realtime.Config{Triggers: realtime.TriggerFinalTranscript | realtime.TriggerSendEnd})
	s := fd.TextSymbol("maybe")
	s.Metadata = map[string]any{fd.MetaTranscript: true}
	require.NoError(t, st.Send(ctxT(t), s))
	require.NoError(t, st.SendEnd(ctxT(t)))
	say(t, st, "typed")
	require.NoError(t, st.SendEnd(ctxT(t)))
	assert.Equal(t, "You said: typed", answer(t, st), "no echo, and the interim transcript is not in the prompt")
}

// Close while the model waits for room in a full output buffer.
func TestCloseWhileTheModelWaitsForRoom(t *testing.T) {
	m := realtimetest.NewModel()
	m.Reply("a", "b", "c", "d")
	st := realtime.NewStream(m, realtime.Config{OutputBuffer: 1})
	require.NoError(t, st.Connect(ctxT(t)))
	_, err := st.Receive(ctxT(t)) // connected
	require.NoError(t, err)
	require.NoError(t, st.Send(ctxT(t), fd.TextSymbol("go")))
	_, err = m.WaitCalls(ctxT(t), 1)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	require.NoError(t, m.WaitEnded(ctxT(t), 1))
}

// Many goroutines at once: senders of text and audio, a receiver, an
// interrupter, then Close. The race detector and goleak do the checking;
// the receiver checks that each answer's items belong to one turn and that
// a turn's symbols never follow its end.
func TestConcurrentUse(t *testing.T) {
	m := realtime.TurnModelFunc(func(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fd.StreamItem, error] {
		return func(yield func(fd.StreamItem, error) bool) {
			for range 5 {
				if ctx.Err() != nil || !yield(fd.TextSymbol("x"), nil) {
					return
				}
			}
		}
	})
	st := realtime.NewStream(m, realtime.Config{OutputBuffer: 4})
	ctx := ctxT(t)
	require.NoError(t, st.Connect(ctx))

	var senders, receiver sync.WaitGroup
	senders.Add(3)
	go func() { // typed messages
		defer senders.Done()
		for range 200 {
			if err := st.Send(ctx, fd.TextSymbol("q")); err != nil {
				assert.ErrorIs(t, err, fd.ErrClosed)
				return
			}
		}
	}()
	go func() { // a microphone
		defer senders.Done()
		audio := append(silence(100), append(voice(200), silence(600)...)...)
		for i := range 400 {
			if err := st.Send(ctx, audio[i%len(audio)]); err != nil {
				assert.ErrorIs(t, err, fd.ErrClosed)
				return
			}
		}
	}()
	go func() { // barge-in from the application
		defer senders.Done()
		for range 100 {
			if err := st.InterruptOutput(ctx); err != nil {
				assert.ErrorIs(t, err, fd.ErrClosed)
				return
			}
			_ = st.History()
		}
	}()
	receiver.Add(1)
	go func() {
		defer receiver.Done()
		ended := map[int]bool{}
		last := 0
		for {
			it, err := st.Receive(ctx)
			if err != nil {
				assert.ErrorIs(t, err, fd.ErrClosed)
				return
			}
			switch it := it.(type) {
			case fd.Symbol:
				turn, _ := it.Turn()
				assert.GreaterOrEqual(t, turn, last, "turns go forward")
				assert.False(t, ended[turn], "a symbol of turn %d after its end", turn)
				last = turn
			case fd.StreamEvent:
				if it.Type == fd.EventStreamEnd || it.Type == fd.EventInterrupt {
					ended[last] = true
				}
			}
		}
	}()
	senders.Wait()
	require.NoError(t, st.Close())
	receiver.Wait()
}

func TestContextErrors(t *testing.T) {
	st := start(t, realtimetest.NewModel(), realtime.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, err := range map[string]error{
		"Send":            st.Send(ctx, fd.TextSymbol("x")),
		"SendEnd":         st.SendEnd(ctx),
		"InterruptOutput": st.InterruptOutput(ctx),
		"CloseSend":       st.CloseSend(ctx),
		"Connect":         st.Connect(ctx),
	} {
		assert.True(t, errors.Is(err, context.Canceled), "%s: %v", name, err)
	}
}

// A model's usage comes once, after its symbols and before the terminator;
// metadata passes through; an event a TurnModel must not yield (a
// terminator of its own) is an EventError, and the turn still has exactly
// one terminator.
func TestModelEvents(t *testing.T) {
	u := fd.Usage{InputTokens: 4, OutputTokens: 2, TotalTokens: 6}
	m := realtime.TurnModelFunc(func(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fd.StreamItem, error] {
		return func(yield func(fd.StreamItem, error) bool) {
			_ = yield(fd.NewEvent(fd.EventUsage, u), nil) &&
				yield(fd.TextSymbol("hi"), nil) &&
				yield(fd.NewEvent(fd.EventMetadata, "finish: STOP"), nil) &&
				yield(fd.NewEvent(fd.EventStreamEnd, nil), nil)
		}
	})
	st := start(t, m, realtime.Config{})
	say(t, st, "q")
	requireText(t, recv(t, st), "hi", 1)
	assert.Equal(t, "finish: STOP", requireEvent(t, recv(t, st), fd.EventMetadata).Data)
	ev := requireEvent(t, recv(t, st), fd.EventError)
	assert.ErrorContains(t, ev.Data.(error), "the model produced a stream_end event")
	assert.Equal(t, u, requireEvent(t, recv(t, st), fd.EventUsage).Data)
	assert.Equal(t, fd.TurnEnd{Turn: 1}, requireEvent(t, recv(t, st), fd.EventStreamEnd).Data)
}
