package openaicompat_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
)

// stallingServer answers with headers and, if first is set, one chunk, then
// says nothing until the client gives up.
func stallingServer(t *testing.T, first string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		if first != "" {
			_, _ = w.Write([]byte("data: " + first + "\n\n"))
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// A server that sends headers and then nothing, or stops in the middle of
// an answer, ends that call with ErrStalled instead of holding the turn
// open forever.
func TestStalledServerEndsTheCall(t *testing.T) {
	tests := []struct {
		name   string
		first  string
		cfg    openaicompat.Config
		want   string
		gotTxt []string
	}{
		{"no first byte", "", openaicompat.Config{FirstByteTimeout: 50 * time.Millisecond}, "FirstByteTimeout", nil},
		{"silent mid-answer", `{"choices":[{"delta":{"content":"half"}}]}`,
			openaicompat.Config{IdleTimeout: 50 * time.Millisecond}, "IdleTimeout", []string{"half"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			tc.cfg.BaseURL = stallingServer(t, tc.first)
			got, err := run(ctx, openaicompat.New(tc.cfg), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("hi"))})
			require.ErrorIs(t, err, openaicompat.ErrStalled)
			assert.ErrorContains(t, err, tc.want)
			assert.Equal(t, tc.gotTxt, got, "what came before the stall is kept")
			assert.NoError(t, ctx.Err(), "ended by the timeout, not by the test's deadline")
		})
	}
}

// Through a realtime stream the stall is an EventError and the end of that
// turn; the next input is answered.
func TestStalledCallDoesNotEndTheConversation(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := calls.Add(1)
		w.Header().Set("Content-Type", "text/event-stream")
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		if n == 1 {
			<-r.Context().Done()
			return
		}
		_, _ = w.Write([]byte("data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"))
	}))
	defer srv.Close()
	st := realtime.NewStream(openaicompat.New(openaicompat.Config{BaseURL: srv.URL, FirstByteTimeout: 50 * time.Millisecond}), realtime.Config{})
	defer st.Close()
	require.NoError(t, st.Connect(ctx))
	var sawStall bool
	next := func() fd.StreamItem {
		item, err := st.Receive(ctx)
		require.NoError(t, err)
		return item
	}
	require.NoError(t, st.Send(ctx, fd.TextSymbol("first")))
	for {
		item := next()
		if ev, ok := item.(fd.StreamEvent); ok {
			if ev.Type == fd.EventError {
				sawStall = errors.Is(ev.Data.(error), openaicompat.ErrStalled)
			}
			if ev.Type == fd.EventStreamEnd || ev.Type == fd.EventInterrupt {
				break
			}
		}
	}
	require.True(t, sawStall, "the stall is reported")
	require.NoError(t, st.Send(ctx, fd.TextSymbol("second")))
	var text string
	for {
		item := next()
		if s, ok := item.(fd.Symbol); ok {
			v, _ := s.TextValue()
			text += v
		}
		if ev, ok := item.(fd.StreamEvent); ok && ev.Type == fd.EventStreamEnd {
			break
		}
	}
	assert.Equal(t, "ok", text)
}
