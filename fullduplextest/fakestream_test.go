package fullduplextest_test

import (
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestNotConnected(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	ctx := ctxT(t)
	assert.ErrorIs(t, fs.Send(ctx, fd.TextSymbol("x")), fd.ErrNotConnected)
	assert.ErrorIs(t, fs.SendEnd(ctx), fd.ErrNotConnected)
	_, err := fs.Receive(ctx)
	assert.ErrorIs(t, err, fd.ErrNotConnected)
	assert.False(t, fs.Connected())
}

func TestConnectTwiceAndCloseIdempotent(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	ctx := ctxT(t)
	require.NoError(t, fs.Connect(ctx))
	require.NoError(t, fs.Connect(ctx))
	assert.Equal(t, 1, fs.Connects())
	require.NoError(t, fs.Close())
	require.NoError(t, fs.Close())
	assert.ErrorIs(t, fs.Connect(ctx), fd.ErrClosed)
	assert.ErrorIs(t, fs.Send(ctx, fd.TextSymbol("x")), fd.ErrClosed)
}

func TestReceiveUnblocksOnCloseAndCtx(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctxT(t)))
	short, cancel := context.WithCancel(ctxT(t))
	cancel()
	_, err := fs.Receive(short)
	require.ErrorIs(t, err, context.Canceled)
	assert.True(t, fs.Connected(), "a cancelled Receive does not close the stream")

	errc := make(chan error, 1)
	go func() { _, err := fs.Receive(ctxT(t)); errc <- err }()
	require.NoError(t, fs.Close())
	require.ErrorIs(t, <-errc, fd.ErrClosed)
}

func TestEmitEndFail(t *testing.T) {
	ctx := ctxT(t)
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctx))
	fs.EmitAudio(make([]byte, 4), 24000, 7)
	fs.End()
	fs.EmitText("late but before the end")
	item, err := fs.Receive(ctx)
	require.NoError(t, err)
	s := item.(fd.Symbol)
	turn, _ := s.Turn()
	assert.Equal(t, 7, turn)
	assert.Equal(t, fd.RoleModel, s.Role())
	_, err = fs.Receive(ctx)
	require.NoError(t, err)
	_, err = fs.Receive(ctx)
	require.ErrorIs(t, err, io.EOF)

	fs2 := fullduplextest.NewFakeStream()
	require.NoError(t, fs2.Connect(ctx))
	boom := errors.New("boom")
	fs2.Fail(boom)
	_, err = fs2.Receive(ctx)
	require.ErrorIs(t, err, boom)
}

func TestSendValidatesAndRecords(t *testing.T) {
	ctx := ctxT(t)
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctx))
	require.ErrorIs(t, fs.Send(ctx, fd.AudioSymbol([]byte{1}, 16000)), fd.ErrInvalidSymbol)
	fs.SetValidate(false)
	require.NoError(t, fs.Send(ctx, fd.AudioSymbol([]byte{1}, 16000)))
	require.NoError(t, fs.SendEnd(ctx))
	sent, err := fs.WaitSent(ctx, 1)
	require.NoError(t, err)
	assert.Len(t, sent, 1)
	require.NoError(t, fs.WaitSendEnd(ctx, 1))
}

func TestWaitHonoursContext(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := fs.WaitSent(ctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "waiting for 1 sent symbols")
	_, err = fs.WaitToolResult(ctx, "x")
	require.ErrorIs(t, err, context.Canceled)
}

func TestWaitWakesOnSend(t *testing.T) {
	ctx := ctxT(t)
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctx))
	go func() {
		for i := range 3 {
			_ = fs.Send(ctx, fd.TextSymbol(string(rune('a'+i))))
		}
	}()
	sent, err := fs.WaitSent(ctx, 3)
	require.NoError(t, err)
	require.Len(t, sent, 3)
}

func TestRecorder(t *testing.T) {
	var r fullduplextest.Recorder
	ctx := ctxT(t)
	require.NoError(t, r.Write(ctx, fd.TextSymbol("a")))
	require.NoError(t, r.Write(ctx, fd.NewEvent(fd.EventStreamEnd, nil)))
	require.NoError(t, r.Write(ctx, fd.TextSymbol("b")))
	r.Flush()
	assert.Equal(t, "ab", r.Text())
	assert.Equal(t, []fd.EventType{fd.EventStreamEnd}, r.Events())
	assert.Equal(t, 1, r.Flushes())
}

func TestCloseSendEndsAfterWhatWasEmitted(t *testing.T) {
	ctx := ctxT(t)
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctx))
	fs.EmitText("answer")
	_, err := fs.Receive(ctx)
	require.NoError(t, err)
	// Nothing left to receive, and the input is open: Receive waits (here
	// until its ctx, already done, lets it go) instead of ending.
	done, cancel := context.WithCancel(ctx)
	cancel()
	_, err = fs.Receive(done)
	require.ErrorIs(t, err, context.Canceled)
	require.NoError(t, fs.CloseSend(ctx))
	require.NoError(t, fs.CloseSend(ctx), "a second CloseSend does nothing")
	_, err = fs.Receive(ctx)
	require.ErrorIs(t, err, io.EOF)
	require.Error(t, fs.Send(ctx, fd.TextSymbol("late")), "Send after CloseSend")
	assert.True(t, fs.InputClosed())
}

// Each EmitAfterInput batch is released by its own input turn, whether the
// turn ended before or after the batch was scripted.
func TestEmitAfterInputReleasesOneBatchPerInputTurn(t *testing.T) {
	ctx := ctxT(t)
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(ctx))
	require.NoError(t, fs.Send(ctx, fd.TextSymbol("q1"))) // input turn 1, before its answer is scripted
	fs.EmitAfterInput(fd.TextSymbol("a1"))
	fs.EmitAfterInput(fd.TextSymbol("a2"))
	fs.EmitAfterInput(fd.TextSymbol("a3"))
	next := func() string {
		item, err := fs.Receive(ctx)
		require.NoError(t, err)
		text, _ := item.(fd.Symbol).TextValue()
		return text
	}
	assert.Equal(t, "a1", next())
	pending, cancel := context.WithCancel(ctx)
	cancel()
	_, err := fs.Receive(pending)
	require.ErrorIs(t, err, context.Canceled, "a2 waits for the second input turn")

	require.NoError(t, fs.Send(ctx, fd.AudioSymbol(make([]byte, 640), 16000)))
	_, err = fs.Receive(pending)
	require.ErrorIs(t, err, context.Canceled, "audio alone does not end an input turn")
	require.NoError(t, fs.SendEnd(ctx)) // input turn 2
	assert.Equal(t, "a2", next())
	require.NoError(t, fs.CloseSend(ctx)) // input turn 3, and the end
	assert.Equal(t, "a3", next())
	_, err = fs.Receive(ctx)
	require.ErrorIs(t, err, io.EOF)
}
