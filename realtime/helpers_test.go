package realtime_test

import (
	"context"
	"sync"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/require"
)

// ctxT bounds a test's waits so that a bug fails the test instead of
// hanging it; no assertion depends on this timing.
func ctxT(t testing.TB) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// start returns a connected stream over m, closed when the test ends, with
// its EventConnected already received.
func start(t *testing.T, m realtime.TurnModel, cfg realtime.Config) *realtime.Stream {
	t.Helper()
	st := realtime.NewStream(m, cfg)
	t.Cleanup(func() { require.NoError(t, st.Close()) })
	require.NoError(t, st.Connect(ctxT(t)))
	requireEvent(t, recv(t, st), fd.EventConnected)
	return st
}

func recv(t *testing.T, st *realtime.Stream) fd.StreamItem {
	t.Helper()
	it, err := st.Receive(ctxT(t))
	require.NoError(t, err)
	return it
}

func requireEvent(t *testing.T, it fd.StreamItem, want fd.EventType) fd.StreamEvent {
	t.Helper()
	ev, ok := it.(fd.StreamEvent)
	require.True(t, ok, "got %v, want event %s", it, want)
	require.Equal(t, want, ev.Type, "event data: %v", ev.Data)
	return ev
}

func requireText(t *testing.T, it fd.StreamItem, want string, turn int) {
	t.Helper()
	s, ok := it.(fd.Symbol)
	require.True(t, ok, "got %v, want text %q", it, want)
	text, _ := s.TextValue()
	require.Equal(t, want, text)
	require.Equal(t, fd.RoleModel, s.Role())
	got, ok := s.Turn()
	require.True(t, ok)
	require.Equal(t, turn, got)
}

// answer receives one whole answer and returns its text.
func answer(t *testing.T, st *realtime.Stream) string {
	t.Helper()
	var text string
	for {
		switch it := recv(t, st).(type) {
		case fd.Symbol:
			s, _ := it.TextValue()
			text += s
		case fd.StreamEvent:
			require.NotEqual(t, fd.EventInterrupt, it.Type)
			require.NotEqual(t, fd.EventError, it.Type, "error: %v", it.Data)
			if it.Type == fd.EventStreamEnd {
				return text
			}
		}
	}
}

// say sends a typed message.
func say(t *testing.T, st *realtime.Stream, text string) {
	t.Helper()
	require.NoError(t, st.Send(ctxT(t), fd.TextSymbol(text)))
}

// dialogue renders turns as "role: text" lines, audio as its duration.
func dialogue(turns []realtime.Turn) []string {
	var out []string
	for _, tn := range turns {
		line := tn.Role + ":"
		for _, s := range tn.Symbols {
			switch s.Modality {
			case fd.ModalityText:
				line += " " + string(s.Data)
			case fd.ModalityAudio:
				line += " [audio " + s.Duration().String() + "]"
			default:
				line += " [" + string(s.Modality) + "]"
			}
		}
		out = append(out, line)
	}
	return out
}

// A clock is a fake clock for window cutting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Audio helpers: 16 kHz chunks of 20 ms.
const rate = 16000

func silence(ms int) []fd.Symbol { return chunks(pcm.AppendSilence(nil, rate*ms/1000)) }

// voice is a voice-like tone loud enough for the detector.
func voice(ms int) []fd.Symbol { return chunks(pcm.AppendTone(nil, 220, 0.3, rate, rate*ms/1000)) }

func chunks(samples []int16) []fd.Symbol {
	var out []fd.Symbol
	for len(samples) > 0 {
		n := min(320, len(samples))
		out = append(out, fd.AudioSymbol(pcm.EncodeInt16(nil, samples[:n]), rate))
		samples = samples[n:]
	}
	return out
}

func sendAll(t *testing.T, st *realtime.Stream, syms ...[]fd.Symbol) {
	t.Helper()
	for _, group := range syms {
		for _, s := range group {
			require.NoError(t, st.Send(ctxT(t), s))
		}
	}
}

var _ = realtimetest.NewModel
