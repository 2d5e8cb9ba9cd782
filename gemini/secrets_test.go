package gemini_test

import (
	"bytes"
	"errors"
	"fmt"
	"log"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// The canaries: a hostile or careless server quotes them back in every way
// it can, and none may reach an error, an event or a log line.
const (
	canaryKey   = "canary-key-5b1e0f9d"
	canaryToken = "ya29.canary-token-c4a7"
)

// leakCheck fails the test when a canary occurs in anything the stream
// produced.
type leakCheck struct {
	t       *testing.T
	secrets []string
	seen    int // errors and events checked
}

func (l *leakCheck) text(where, s string) {
	l.t.Helper()
	for _, sec := range l.secrets {
		assert.NotContains(l.t, s, sec, "%s leaks a secret", where)
	}
}

// err checks every error the Unwrap tree of err reaches (message, %+v, and
// %#v of the package's own types), and what errors.As finds for the
// typed errors a caller would look for.
func (l *leakCheck) err(where string, err error) {
	l.t.Helper()
	if err == nil {
		return
	}
	l.seen++
	var walk func(e error, depth int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		l.text(where+": Error()", e.Error())
		l.text(where+": %+v", fmt.Sprintf("%+v", e))
		switch v := e.(type) {
		case *gemini.CloseError:
			l.text(where+": %#v", fmt.Sprintf("%#v", *v))
		case *gemini.FrameError:
			l.text(where+": %#v", fmt.Sprintf("%#v", *v))
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap(), depth+1)
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x, depth+1)
			}
		}
	}
	walk(err, 0)
	var ce *gemini.CloseError
	if errors.As(err, &ce) {
		l.text(where+": CloseError.Reason", ce.Reason)
	}
	var fe *gemini.FrameError
	if errors.As(err, &fe) {
		walk(fe.Err, 0)
	}
	var wce *websocket.CloseError
	if errors.As(err, &wce) {
		l.text(where+": websocket.CloseError.Text", wce.Text)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		l.text(where+": url.Error.URL", ue.URL)
	}
}

// item checks one received item.
func (l *leakCheck) item(it fullduplex.StreamItem) {
	l.t.Helper()
	ev, ok := it.(fullduplex.StreamEvent)
	if !ok {
		return
	}
	l.seen++
	where := "event " + string(ev.Type)
	l.text(where, fmt.Sprintf("%+v", ev.Data))
	switch d := ev.Data.(type) {
	case error:
		l.err(where, d)
	case gemini.ReconnectInfo:
		l.err(where+" ReconnectInfo.Err", d.Err)
	}
}

// drain receives until the stream ends, checking every item and the end.
func (l *leakCheck) drain(st *gemini.Stream) (events []fullduplex.EventType, end error) {
	return l.drainUntil(st, "")
}

// drainUntil is drain that stops after the first event of type until (""
// never stops before the end).
func (l *leakCheck) drainUntil(st *gemini.Stream, until fullduplex.EventType) (events []fullduplex.EventType, end error) {
	l.t.Helper()
	ctx := waitCtx(l.t)
	for {
		it, err := st.Receive(ctx)
		if err != nil {
			require.NoError(l.t, ctx.Err(), "the stream did not end")
			l.err("Receive", err)
			return events, err
		}
		l.item(it)
		if ev, ok := it.(fullduplex.StreamEvent); ok {
			events = append(events, ev.Type)
			if ev.Type == until {
				return events, nil
			}
		}
	}
}

// captureLog sends the standard logger (which the SDK writes to) to a
// buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(keyGuard{os.Stderr}) })
	return &buf
}

// Every error path of the stream, driven with canary secrets: close
// reasons, error frames and malformed frames that quote them, refused and
// failed setups, reconnects that fail, dial errors, on the Gemini API and
// on Vertex AI.
func TestSecretsNeverLeak(t *testing.T) {
	l := &leakCheck{t: t, secrets: []string{canaryKey, canaryToken}}
	logs := captureLog(t)
	connect := func(t *testing.T, srv *geminitest.Server, cfg gemini.Config) (*gemini.Stream, error) {
		if !cfg.VertexAI {
			cfg.BaseURL, cfg.APIKey = srv.URL(), canaryKey
		}
		cfg.ReconnectBackoff = time.Millisecond
		st := gemini.NewStream(cfg)
		t.Cleanup(func() { st.Close() })
		return st, st.Connect(waitCtx(t))
	}
	hostileFrames := func(t *testing.T, c *geminitest.Conn, secret string) {
		for _, raw := range []string{
			`{"error":{"code":403,"message":"API key ` + secret + ` is not valid","status":"PERMISSION_DENIED"}}`,
			`{"serverContent":{"modelTurn":` + secret,
			`{"serverContent":{"modelTurn":{"parts":[{"text":7}]}},"echo":"` + secret + `"}`,
			`{"serverContent":{"turnComplete":"` + secret + `"}}`,
		} {
			require.NoError(t, c.SendRaw([]byte(raw), true))
		}
	}

	t.Run("mid-session frames and close reasons", func(t *testing.T) {
		srv := geminitest.New(t, geminitest.Options{APIKey: canaryKey})
		st, err := connect(t, srv, gemini.Config{})
		require.NoError(t, err)
		c0, err := srv.WaitConn(waitCtx(t), 0)
		require.NoError(t, err)
		hostileFrames(t, c0, canaryKey)
		require.NoError(t, c0.CloseWith(1011, "backend error for key "+canaryKey))
		// The reconnect completes (its event is in hand) before the new
		// connection is closed, so the close hits a running session, not
		// its setup.
		before, err := l.drainUntil(st, fullduplex.EventReconnect)
		require.NoError(t, err)
		c1, err := srv.WaitConn(waitCtx(t), 1)
		require.NoError(t, err)
		require.NoError(t, c1.CloseWith(1008, "API key not valid: "+canaryKey))
		events, end := l.drain(st)
		events = append(before, events...)
		assert.Contains(t, events, fullduplex.EventError)
		assert.Contains(t, events, fullduplex.EventReconnect)
		var ce *gemini.CloseError
		require.ErrorAs(t, end, &ce)
		assert.Equal(t, 1008, ce.Code)
		assert.Contains(t, ce.Reason, "API key not valid", "the rest of the reason is kept")
		l.err("Send after the end", st.Send(waitCtx(t), fullduplex.TextSymbol("x")))
		l.err("Connect after the end", st.Connect(waitCtx(t)))
	})

	t.Run("refused setup", func(t *testing.T) {
		srv := geminitest.New(t, geminitest.Options{APIKey: canaryKey})
		srv.CloseSetups(1, 1008, "API key not valid: "+canaryKey)
		_, err := connect(t, srv, gemini.Config{})
		require.Error(t, err)
		l.err("Connect", err)
	})

	t.Run("failed setup", func(t *testing.T) {
		srv := geminitest.New(t, geminitest.Options{APIKey: canaryKey})
		srv.CloseSetups(1, 1011, "no backend for "+canaryKey)
		_, err := connect(t, srv, gemini.Config{})
		require.Error(t, err)
		l.err("Connect", err)
	})

	t.Run("wrong key and refused upgrade", func(t *testing.T) {
		srv := geminitest.New(t, geminitest.Options{APIKey: "another-key"})
		_, err := connect(t, srv, gemini.Config{})
		require.Error(t, err)
		l.err("Connect with a wrong key", err)
		srv.RefuseConnections(1, 401)
		_, err = connect(t, srv, gemini.Config{})
		require.Error(t, err)
		l.err("Connect refused", err)
	})

	t.Run("reconnect failures", func(t *testing.T) {
		srv := geminitest.New(t, geminitest.Options{APIKey: canaryKey})
		st, err := connect(t, srv, gemini.Config{})
		require.NoError(t, err)
		c0, err := srv.WaitConn(waitCtx(t), 0)
		require.NoError(t, err)
		srv.CloseSetups(100, 1011, "no backend for "+canaryKey)
		c0.Drop()
		_, end := l.drain(st)
		require.ErrorIs(t, end, gemini.ErrReconnectFailed)
	})

	t.Run("dial error", func(t *testing.T) {
		st := gemini.NewStream(gemini.Config{BaseURL: "ws://127.0.0.1:1/" + canaryKey, APIKey: canaryKey})
		defer st.Close()
		err := st.Connect(waitCtx(t))
		require.Error(t, err)
		l.err("Connect", err)
	})

	t.Run("vertex bearer token", func(t *testing.T) {
		t.Setenv("GOOGLE_CLOUD_PROJECT", "")
		srv := geminitest.New(t, geminitest.Options{AccessToken: canaryToken})
		srv.CloseSetups(1, 1008, "token "+canaryToken+" expired")
		_, err := connect(t, srv, vertexConfig(srv, canaryToken))
		require.Error(t, err)
		l.err("Connect", err)

		st, err := connect(t, srv, vertexConfig(srv, canaryToken))
		require.NoError(t, err)
		c, err := srv.WaitConn(waitCtx(t), 1)
		require.NoError(t, err)
		hostileFrames(t, c, canaryToken)
		require.NoError(t, c.CloseWith(1008, "Bearer "+canaryToken+" refused"))
		events, end := l.drain(st)
		assert.Contains(t, events, fullduplex.EventError)
		require.Error(t, end)
	})

	l.text("log output", logs.String())
	assert.Greater(t, l.seen, 15, "the paths were driven")
	t.Logf("%d errors and events checked", l.seen)
	assert.False(t, strings.Contains(logs.String(), canaryKey))
}

// The canaries quoted back in a frame reach the application only redacted,
// and the rest of the message survives.
func TestFrameErrorIsRedactedNotEmptied(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: canaryKey})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: canaryKey})
	defer st.Close()
	ctx := waitCtx(t)
	require.NoError(t, st.Connect(ctx))
	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	require.NoError(t, c.SendRaw([]byte(`{"error":{"message":"key `+canaryKey+` refused"}}`), true))
	for {
		it := next(t, st)
		ev, ok := it.(fullduplex.StreamEvent)
		if !ok || ev.Type != fullduplex.EventError {
			continue
		}
		var fe *gemini.FrameError
		require.ErrorAs(t, ev.Data.(error), &fe)
		assert.True(t, fe.ServiceError)
		assert.Contains(t, fe.Error(), "refused")
		assert.NotContains(t, fe.Err.Error(), canaryKey)
		assert.Contains(t, fe.Err.Error(), "[redacted]")
		return
	}
}
