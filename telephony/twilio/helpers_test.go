package twilio_test

import (
	"bytes"
	"context"
	"log"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
	"github.com/gorilla/websocket"
)

// syncBuffer is a bytes.Buffer the handler and the test share.
type syncBuffer struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{} // closed and replaced on every Write
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

// waitFor waits until the buffer holds text.
func (s *syncBuffer) waitFor(ctx context.Context, t *testing.T, text string) {
	t.Helper()
	for {
		s.mu.Lock()
		if s.changed == nil {
			s.changed = make(chan struct{})
		}
		has, ch := strings.Contains(s.b.String(), text), s.changed
		s.mu.Unlock()
		if has {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("the log never said %q; it holds %q", text, s.String())
		}
	}
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// served is one call the test server ran: the Call, and Serve's result.
type served struct {
	call *twilio.Call
	err  chan error // Serve's return value
}

// server runs h (with serve as its Serve) on loopback and hands each call
// to the test. Its ErrorLog is returned.
type server struct {
	*httptest.Server
	calls chan served
	log   *syncBuffer
}

func newServer(t *testing.T, h *twilio.Handler, serve func(ctx context.Context, call *twilio.Call) error) *server {
	return newServerOn(t, h, serve, nil)
}

// newServerOn is newServer with the listener wrapped by wrap (if not nil).
func newServerOn(t *testing.T, h *twilio.Handler, serve func(ctx context.Context, call *twilio.Call) error, wrap func(net.Listener) net.Listener) *server {
	t.Helper()
	s := &server{calls: make(chan served, 16), log: &syncBuffer{}}
	h.ErrorLog = log.New(s.log, "", 0)
	h.Serve = func(ctx context.Context, call *twilio.Call) error {
		sv := served{call: call, err: make(chan error, 1)}
		s.calls <- sv
		err := serve(ctx, call)
		sv.err <- err
		return err
	}
	s.Server = httptest.NewUnstartedServer(h)
	if wrap != nil {
		s.Listener = wrap(s.Listener)
	}
	s.Start()
	t.Cleanup(s.Close)
	return s
}

func (s *server) wsURL() string { return "ws" + strings.TrimPrefix(s.URL, "http") + "/stream" }

// next returns the next call the server got.
func (s *server) next(ctx context.Context, t *testing.T) served {
	t.Helper()
	select {
	case sv := <-s.calls:
		return sv
	case <-ctx.Done():
		t.Fatal("no call reached the handler")
		return served{}
	}
}

// result waits for Serve's error.
func (sv served) result(ctx context.Context, t *testing.T) error {
	t.Helper()
	select {
	case err := <-sv.err:
		return err
	case <-ctx.Done():
		t.Fatal("Serve did not return")
		return nil
	}
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// speech returns testdata/hello.wav at 8 kHz.
func speech(t *testing.T) []int16 {
	t.Helper()
	s, err := twiliotest.ReadWAV("../../testdata/hello.wav")
	require.NoError(t, err)
	return s
}

// tone returns d of a tone at freq as 16-bit PCM at rate.
func tone(freq float64, rate int, d time.Duration) []byte {
	n := int(d * time.Duration(rate) / time.Second)
	return pcm.EncodeInt16(nil, pcm.AppendTone(nil, freq, 0.3, rate, n))
}

// modelAudio is one chunk of the model's audio of turn.
func modelAudio(data []byte, rate, turn int) fullduplex.Symbol {
	return fullduplex.AudioSymbol(data, rate).WithMeta(fullduplex.MetaTurn, turn).WithMeta(fullduplex.MetaRole, fullduplex.RoleModel)
}

// pcmOf decodes the audio symbols of syms.
func pcmOf(t *testing.T, syms []fullduplex.Symbol) []int16 {
	t.Helper()
	var out []int16
	for _, s := range syms {
		var err error
		out, err = pcm.DecodeInt16(out, s.Data)
		require.NoError(t, err)
	}
	return out
}

// dialRaw opens a WebSocket to url without speaking Twilio's protocol.
func dialRaw(ctx context.Context, t *testing.T, url string) *websocket.Conn {
	t.Helper()
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close() })
	return conn
}
