package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// The same chat code over each backend's offline fake: two messages typed
// back to back (the second cuts the first answer off), then end of input.
func TestChatOverEveryBackend(t *testing.T) {
	for _, backend := range []string{"live", "turn", "openai-compatible"} {
		t.Run(backend, func(t *testing.T) {
			var log bytes.Buffer
			stream, cleanup, err := newStream(options{backend: backend, offline: true}, &log)
			require.NoError(t, err)
			defer cleanup()
			defer stream.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			ctx, quit := context.WithCancel(ctx)
			defer quit()
			var out bytes.Buffer
			session := fullduplex.NewDuplexSession(stream)
			chat := &console.Turns{
				Source:    fullduplextest.SliceSource(fullduplex.TextSymbol("hello there"), fullduplex.TextSymbol("how are you")),
				Sink:      &console.Transcript{W: &out},
				Interrupt: session.Interrupt,
				Quit:      quit,
			}
			err = session.RunDuplex(ctx, chat, chat)
			require.True(t, errors.Is(err, context.Canceled), "the chat quits after the last answer, before the deadline: %v", err)
			assert.Contains(t, out.String(), "how are you", "the last message is answered")
			assert.Contains(t, log.String(), "Offline mode")
		})
	}
}

func TestUnknownBackend(t *testing.T) {
	_, cleanup, err := newStream(options{backend: "carrier-pigeon"}, io.Discard)
	defer cleanup()
	require.ErrorContains(t, err, `unknown -backend "carrier-pigeon"`)
}
