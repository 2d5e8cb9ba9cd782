package openai_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// open returns a connected stream on srv, its first item (EventConnected)
// taken, and the server's side of the connection. Both end with the test.
func open(t *testing.T, srv *openaitest.Server, cfg openai.Config) (*openai.Stream, *openaitest.Conn) {
	t.Helper()
	cfg.BaseURL, cfg.APIKey = srv.URL(), srv.APIKey()
	st := openai.NewStream(cfg)
	t.Cleanup(func() { _ = st.Close() })
	ctx := testCtx(t)
	require.NoError(t, st.Connect(ctx))
	it, err := st.Receive(ctx)
	require.NoError(t, err)
	require.Equal(t, fd.EventConnected, it.(fd.StreamEvent).Type)
	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	return st, c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// untilTerminator receives up to and including the next terminator.
func untilTerminator(t *testing.T, st fd.DuplexStream) []fd.StreamItem {
	t.Helper()
	ctx := testCtx(t)
	var items []fd.StreamItem
	for {
		it, err := st.Receive(ctx)
		require.NoError(t, err, "so far: %v", items)
		items = append(items, it)
		if ev, ok := it.(fd.StreamEvent); ok && (ev.Type == fd.EventStreamEnd || ev.Type == fd.EventInterrupt) {
			return items
		}
	}
}

// drain receives until io.EOF.
func drain(t *testing.T, st fd.DuplexStream) []fd.StreamItem {
	t.Helper()
	ctx := testCtx(t)
	var items []fd.StreamItem
	for {
		it, err := st.Receive(ctx)
		if errors.Is(err, io.EOF) {
			return items
		}
		require.NoError(t, err, "so far: %v", items)
		items = append(items, it)
	}
}

// modelText concatenates the model's text symbols.
func modelText(items []fd.StreamItem) string {
	var b strings.Builder
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Role() == fd.RoleModel {
			if txt, ok := s.TextValue(); ok {
				b.WriteString(txt)
			}
		}
	}
	return b.String()
}

func events(items []fd.StreamItem, typ fd.EventType) []fd.StreamEvent {
	var out []fd.StreamEvent
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == typ {
			out = append(out, ev)
		}
	}
	return out
}

func audioBytes(items []fd.StreamItem) int {
	n := 0
	for _, it := range items {
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
			n += len(s.Data)
		}
	}
	return n
}

func metadata[T any](items []fd.StreamItem) []T {
	var out []T
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventMetadata {
			if v, ok := ev.Data.(T); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// utterance returns 16-bit PCM at rate: quiet background, speech-like
// tone of speechMS, then background again (long enough for the service's
// silence to end the turn).
func utterance(rate, speechMS int) []byte {
	var s []int16
	s = pcm.AppendNoise(s, 0.0005, rate/2, 1)
	tone := pcm.AppendTone(nil, 220, 0.3, rate, rate*speechMS/1000)
	s = append(s, pcm.Mix(tone, pcm.AppendNoise(nil, 0.0005, len(tone), 2))...)
	s = pcm.AppendNoise(s, 0.0005, rate*1200/1000, 3)
	return pcm.EncodeInt16(nil, s)
}

// sendAudio sends pcm at rate in 20 ms chunks.
func sendAudio(t *testing.T, st fd.DuplexStream, data []byte, rate int) {
	t.Helper()
	ctx := testCtx(t)
	chunk := rate / 50 * 2
	for len(data) > 0 {
		n := min(chunk, len(data))
		require.NoError(t, st.Send(ctx, fd.AudioSymbol(data[:n], rate)))
		data = data[n:]
	}
}

// waitAppended waits until the server has received at least n bytes of
// audio (sends are asynchronous: the answer can come before the tail
// arrives) and returns what it has then.
func waitAppended(t *testing.T, c *openaitest.Conn, n int) int {
	t.Helper()
	isAppend := func(e openaitest.ClientEvent) bool { return e.Type == "input_audio_buffer.append" }
	for {
		got := appended(c)
		if got >= n {
			return got
		}
		seen := len(eventsOf(c, "input_audio_buffer.append"))
		_, err := c.WaitCount(testCtx(t), isAppend, seen+1)
		require.NoError(t, err, "the server has %d of %d bytes of audio", got, n)
	}
}

// resampledBytes returns how many bytes of 16-bit PCM at out the stream
// puts on the wire for data at in sent by sendAudio (the resampler holds
// back its filter's half width until more comes).
func resampledBytes(t *testing.T, data []byte, in, out int) int {
	t.Helper()
	r, err := pcm.NewResampler(in, out)
	require.NoError(t, err)
	samples, err := pcm.DecodeInt16(nil, data)
	require.NoError(t, err)
	n, chunk := 0, in/50
	for len(samples) > 0 {
		k := min(chunk, len(samples))
		n += len(r.Process(nil, samples[:k]))
		samples = samples[k:]
	}
	return 2 * n
}

// appended returns the bytes of audio the server received.
func appended(c *openaitest.Conn) int {
	n := 0
	for _, e := range c.Events() {
		if a, ok := e.Audio(); ok {
			n += len(a)
		}
	}
	return n
}
