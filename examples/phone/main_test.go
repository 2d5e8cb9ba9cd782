package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

func TestMain(m *testing.M) {
	if os.Getenv("PHONE_TEST_RUN_MAIN") == "1" { // the child of TestHelpKeepsTheAuthTokenOut
		os.Args = []string{"phone", "-h"}
		main()
		return
	}
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// -h prints every flag's default: the Twilio auth token from the
// environment is not one of them.
func TestHelpKeepsTheAuthTokenOut(t *testing.T) {
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "PHONE_TEST_RUN_MAIN=1", "TWILIO_AUTH_TOKEN=tok-secret-4711")
	out, _ := cmd.CombinedOutput() // -h exits 0 or 2, by Go version
	require.Contains(t, string(out), "-auth-token", "the child printed the usage")
	assert.NotContains(t, string(out), "tok-secret-4711")
}

// syncBuffer is a bytes.Buffer safe for the program and the test at once.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.changed != nil {
		close(s.changed)
	}
	s.changed = make(chan struct{})
	return s.b.Write(p)
}

// waitFor waits until the output holds text.
func (s *syncBuffer) waitFor(ctx context.Context, t *testing.T, text string) {
	t.Helper()
	for {
		s.mu.Lock()
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		has, ch, out := strings.Contains(s.b.String(), text), s.changed, s.b.String()
		s.mu.Unlock()
		if has {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("the program never printed %q; it printed:\n%s", text, out)
		}
	}
}

// twiml is the part of the webhook's answer Twilio acts on.
type twiml struct {
	Stream struct {
		URL    string `xml:"url,attr"`
		Params []struct {
			Name  string `xml:"name,attr"`
			Value string `xml:"value,attr"`
		} `xml:"Parameter"`
	} `xml:"Connect>Stream"`
}

// A whole call as Twilio makes it, offline: the webhook answers TwiML, the
// media stream carries the caller's question to the echo model and its
// spoken answer back, * interrupts the answer (clear), and hanging up ends
// the call.
func TestPhoneCallOffline(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	runCtx, stop := context.WithCancel(ctx)
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() { done <- run(runCtx, ln, options{offline: true, system: "test"}, out) }()
	defer func() { stop(); <-done }()
	out.waitFor(ctx, t, "Listening on")

	// Twilio's voice webhook.
	resp, err := http.PostForm("http://"+ln.Addr().String()+"/twilio/voice", url.Values{"From": {"+15550001111"}, "To": {"+15550002222"}, "CallSid": {"CA1"}})
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	var doc twiml
	require.NoError(t, xml.Unmarshal(body, &doc), string(body))
	require.Equal(t, "wss://"+ln.Addr().String()+"/twilio/stream", doc.Stream.URL)
	params := map[string]string{}
	for _, p := range doc.Stream.Params {
		params[p.Name] = p.Value
	}
	assert.Equal(t, map[string]string{"From": "+15550001111", "To": "+15550002222"}, params)

	// The media stream (plain ws: no TLS on loopback).
	client, err := twiliotest.Dial(ctx, "ws://"+strings.TrimPrefix(doc.Stream.URL, "wss://"), twiliotest.Options{CustomParameters: params})
	require.NoError(t, err)
	defer client.Close()
	out.waitFor(ctx, t, `from "+15550001111": connected`)

	question, err := twiliotest.ReadWAV("../../testdata/hello.wav")
	require.NoError(t, err)
	require.NoError(t, client.SendAudio(append(question, make([]int16, 8000)...)))
	// The echo model repeats the question: wait for a second of it.
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Samples >= 8000 }))
	answer := client.Audio()
	assert.Greater(t, pcm.DBFS(answer), -40.0, "the answer is speech, not silence")

	require.NoError(t, client.SendDTMF("*"))
	out.waitFor(ctx, t, "pressed *")
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Clears >= 1 }), "* cuts the answer")

	require.NoError(t, client.Hangup())
	out.waitFor(ctx, t, "ended")
	stop()
	require.NoError(t, <-done)
	done <- nil // for the deferred stop
}
