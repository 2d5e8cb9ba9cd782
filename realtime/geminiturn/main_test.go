package geminiturn_test

import (
	"context"
	"io"
	"log"
	"os"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// testKey is the fake API key of every test; it must never show in an
// error or a log line.
const testKey = "AIza-test-5c0ffee"

func TestMain(m *testing.M) {
	log.SetOutput(keyGuard{os.Stderr})
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// ctxT bounds a test's waits; no assertion depends on this timing.
func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// keyGuard fails the run when a log line holds the API key.
type keyGuard struct{ w io.Writer }

func (g keyGuard) Write(p []byte) (int, error) {
	if strings.Contains(string(p), testKey) {
		panic("the API key appeared in a log line")
	}
	return g.w.Write(p)
}
