package gemini_test

import (
	"context"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/genai"
)

func TestMain(m *testing.M) {
	log.SetOutput(keyGuard{os.Stderr})
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// testKey is the fake API key of every test; it must never show in an error.
const testKey = "test-key-7f3a9c"

// waitCtx bounds a test's waits so that a bug fails the test instead of
// hanging it; no assertion depends on this timing.
func waitCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start returns a connected stream on a fresh fake server, both closed when
// the test ends, and the server's first connection.
func start(t *testing.T, opts geminitest.Options, cfg gemini.Config) (*geminitest.Server, *gemini.Stream, *geminitest.Conn) {
	t.Helper()
	opts.APIKey = testKey
	srv := geminitest.New(t, opts)
	cfg.BaseURL, cfg.APIKey = srv.URL(), testKey
	st := gemini.NewStream(cfg)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	ctx := waitCtx(t)
	require.NoError(t, st.Connect(ctx))
	it := recv(t, st)
	ev, ok := it.(fullduplex.StreamEvent)
	require.True(t, ok, "first item %v", it)
	require.Equal(t, fullduplex.EventConnected, ev.Type)
	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	return srv, st, c
}

// recv returns the next item, failing the test on an error.
func recv(t *testing.T, st *gemini.Stream) fullduplex.StreamItem {
	t.Helper()
	it, err := st.Receive(waitCtx(t))
	require.NoError(t, err)
	return it
}

// next returns the next item that is not a resumption-update or GoAway
// metadata event (the fake server sends resumption updates on its own).
func next(t *testing.T, st *gemini.Stream) fullduplex.StreamItem {
	t.Helper()
	for {
		it := recv(t, st)
		if isHousekeeping(it) {
			continue
		}
		return it
	}
}

func isHousekeeping(it fullduplex.StreamItem) bool {
	ev, ok := it.(fullduplex.StreamEvent)
	if !ok || ev.Type != fullduplex.EventMetadata {
		return false
	}
	_, ok = ev.Data.(*genai.LiveServerSessionResumptionUpdate)
	return ok
}

// keyGuard is the standard logger's output in these tests: a log line
// holding the API key fails the run.
type keyGuard struct{ w io.Writer }

func (g keyGuard) Write(p []byte) (int, error) {
	if strings.Contains(string(p), testKey) {
		panic("the API key appeared in a log line")
	}
	return g.w.Write(p)
}
