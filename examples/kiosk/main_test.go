package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// The kiosk offline, as `go run ./examples/kiosk -offline` runs it: the
// passer-by on mic1 never gets the floor, the visitor on mic2 does by the
// activation phrase; the fake Live refuses the key and the conversation
// fails over to the turn model, which answers the visitor's question; the
// run ends by itself when the microphones do.
func TestOfflineKiosk(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, status bytes.Buffer
	err := run(ctx, options{phrase: "hey kiosk", offline: true}, &out, &status)
	require.NoError(t, err, "output:\n%s\nstatus:\n%s", out.String(), status.String())

	// The conversation: the visitor's question and the answer.
	assert.Equal(t, "you: Hey kiosk, where is gate four?\nkiosk: You said: Hey kiosk, where is gate four?\n", out.String())
	// The status: the failover (at Connect) and the floor, a line each;
	// the floor's lines in order.
	lines := strings.Split(strings.TrimSpace(status.String()), "\n")
	require.Len(t, lines, 4, "status:\n%s", status.String())
	assert.Contains(t, lines[0], "Offline mode")
	var floor []string
	failovers := 0
	for _, l := range lines[1:] {
		switch {
		case strings.HasPrefix(l, "[floor: "):
			floor = append(floor, l)
		case strings.HasPrefix(l, "[failover: live → turn (") && strings.Contains(l, "API key not valid"):
			failovers++
		}
	}
	assert.Equal(t, 1, failovers, "status:\n%s", status.String())
	assert.Equal(t, []string{"[floor: mic2 (phrase)]", "[floor: free (ended; mic2 lost it)]"}, floor, "the passer-by on mic1 never had the floor")
	assert.NotContains(t, status.String()+out.String(), "a-key-the-service-refuses", "the key is never shown")
}
