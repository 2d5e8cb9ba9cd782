package gemini_test

import (
	"bytes"
	"context"
	"io"
	"log"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestBeforeConnect(t *testing.T) {
	st := gemini.NewStream(gemini.Config{APIKey: testKey})
	ctx := waitCtx(t)
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, fullduplex.ErrNotConnected)
	assert.ErrorIs(t, st.Send(ctx, fullduplex.TextSymbol("x")), fullduplex.ErrNotConnected)
	assert.ErrorIs(t, st.SendEnd(ctx), fullduplex.ErrNotConnected)
	assert.False(t, st.Connected())
	require.NoError(t, st.Close())
	require.NoError(t, st.Close())
	assert.ErrorIs(t, st.Connect(ctx), fullduplex.ErrClosed)
	_, err = st.Receive(ctx)
	assert.ErrorIs(t, err, fullduplex.ErrClosed)
}

func TestConnectTwiceIsHarmless(t *testing.T) {
	srv, st, _ := start(t, geminitest.Options{}, gemini.Config{})
	require.NoError(t, st.Connect(waitCtx(t)))
	assert.Len(t, srv.Conns(), 1)
}

func TestCloseUnblocksEverything(t *testing.T) {
	_, st, _ := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	ctx := waitCtx(t)
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := st.Receive(ctx)
			errs <- err
		}()
	}
	var closers sync.WaitGroup
	for range 3 {
		closers.Add(1)
		go func() { defer closers.Done(); assert.NoError(t, st.Close()) }()
	}
	closers.Wait()
	wg.Wait()
	close(errs)
	for err := range errs {
		assert.ErrorIs(t, err, fullduplex.ErrClosed)
	}
	assert.False(t, st.Connected())
	assert.ErrorIs(t, st.Send(ctx, fullduplex.TextSymbol("x")), fullduplex.ErrClosed)
	assert.ErrorIs(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "a"}), fullduplex.ErrClosed)
}

func TestCloseCodes(t *testing.T) {
	tests := []struct {
		code    int
		reason  string
		want    error // for errors.Is; nil means check CloseError
		wantMsg string
	}{
		{1000, "bye", io.EOF, ""},
		{1007, "Request contains an invalid argument.", nil, "rejected a message"},
		{1008, "Quota exceeded", nil, "refused the session"},
	}
	for _, tt := range tests {
		t.Run(tt.reason, func(t *testing.T) {
			_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
			require.NoError(t, c.SendText("kept"))
			require.NoError(t, c.CloseWith(tt.code, tt.reason))
			txt, _ := symbol(t, recv(t, st)).TextValue()
			assert.Equal(t, "kept", txt, "what arrived before the close is delivered")
			_, err := st.Receive(waitCtx(t))
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
			} else {
				var ce *gemini.CloseError
				require.ErrorAs(t, err, &ce)
				assert.Equal(t, tt.code, ce.Code)
				assert.Equal(t, tt.reason, ce.Reason)
				assert.Contains(t, err.Error(), tt.wantMsg)
				assert.Contains(t, err.Error(), tt.reason)
			}
			_, again := st.Receive(waitCtx(t))
			assert.Equal(t, err, again, "the end is sticky")
			assert.False(t, st.Connected())
			assert.ErrorIs(t, st.Send(waitCtx(t), fullduplex.TextSymbol("x")), err)
			assertNoKey(t, err)
		})
	}
}

func TestQuotaCloseIsNotRetried(t *testing.T) {
	srv, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	require.NoError(t, c.CloseWith(1011, "RESOURCE_EXHAUSTED: quota exceeded"))
	_, err := st.Receive(waitCtx(t))
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1011, ce.Code)
	assert.Len(t, srv.Conns(), 1, "no reconnect on quota errors")
}

func TestWrongKeyIsAClearErrorWithoutTheKey(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: "the-right-key"})
	var logs bytes.Buffer
	log.SetOutput(&logs)
	defer log.SetOutput(keyGuard{os.Stderr})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	defer st.Close()
	err := st.Connect(waitCtx(t))
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1008, ce.Code)
	assert.Contains(t, err.Error(), "API key not valid")
	assertNoKey(t, err)
	assert.NotContains(t, logs.String(), testKey)
	assert.False(t, st.Connected())
}

func TestConnectRefusedUpgrade(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	srv.RefuseConnections(1, 503)
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	defer st.Close()
	err := st.Connect(waitCtx(t))
	require.Error(t, err)
	assertNoKey(t, err)
	// The next attempt works.
	require.NoError(t, st.Connect(waitCtx(t)))
}

func TestHungSetup(t *testing.T) {
	srv := geminitest.NewServer(geminitest.Options{APIKey: testKey})
	srv.HangSetup(true)
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Connect(ctx) }()
	_, err := srv.WaitConn(waitCtx(t), 0) // the setup arrived and will never be answered
	require.NoError(t, err)
	cancel()
	err = <-done
	require.ErrorIs(t, err, context.Canceled)
	assert.False(t, st.Connected())
	require.NoError(t, st.Close())
	// The SDK's goroutine ends when the server lets go of the socket.
	srv.Close()
	goleak.VerifyNone(t, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

func TestHungSetupDeadline(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	srv.HangSetup(true)
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := st.Connect(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	_, err = srv.WaitConn(waitCtx(t), 0)
	require.NoError(t, err, "the setup was sent")
}

func TestCloseDuringHungConnect(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	srv.HangSetup(true)
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	done := make(chan error, 1)
	go func() { done <- st.Connect(context.Background()) }()
	_, err := srv.WaitConn(waitCtx(t), 0)
	require.NoError(t, err)
	require.NoError(t, st.Close())
	assert.ErrorIs(t, <-done, fullduplex.ErrClosed)
}

// Close returns within the one second the contract promises even while a
// goroutine is stuck in the SDK's dial (the server never answers setup).
// This is the contract's bound, not a speed claim: the stream waits 800 ms.
func TestCloseCapWithAStuckDial(t *testing.T) {
	srv := geminitest.NewServer(geminitest.Options{APIKey: testKey})
	defer srv.Close()
	srv.HangSetup(true)
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- st.Connect(ctx) }()
	_, err := srv.WaitConn(waitCtx(t), 0)
	require.NoError(t, err)
	cancel()
	require.ErrorIs(t, <-done, context.Canceled)
	t0 := time.Now()
	require.NoError(t, st.Close())
	elapsed := time.Since(t0)
	assert.Less(t, elapsed, time.Second, "Close returns within its cap")
	t.Logf("Close returned after %v", elapsed)
	srv.HangSetup(false) // the stuck goroutine gets its answer and closes the late session
}
