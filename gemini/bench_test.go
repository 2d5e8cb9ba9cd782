package gemini_test

import (
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

// benchPair connects both a gemini.Stream and a raw SDK session to one fake
// server and returns them with their server-side connections.
func benchPair(b *testing.B) (st *gemini.Stream, stConn *geminitest.Conn, raw *genai.Session, rawConn *geminitest.Conn) {
	b.Helper()
	srv := geminitest.NewServer(geminitest.Options{APIKey: testKey, NoResumptionUpdates: true, DiscardMessages: true})
	b.Cleanup(srv.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	st = gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey, ReceiveBuffer: 64})
	b.Cleanup(func() { st.Close() })
	require.NoError(b, st.Connect(ctx))
	it, err := st.Receive(ctx) // EventConnected
	require.NoError(b, err)
	require.Equal(b, fullduplex.EventConnected, it.(fullduplex.StreamEvent).Type)
	stConn, err = srv.WaitConn(ctx, 0)
	require.NoError(b, err)

	client, err := genai.NewClient(ctx, &genai.ClientConfig{APIKey: testKey, Backend: genai.BackendGeminiAPI, HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL()}})
	require.NoError(b, err)
	raw, err = client.Live.Connect(ctx, gemini.DefaultModel, &genai.LiveConnectConfig{ResponseModalities: []genai.Modality{genai.ModalityAudio}})
	require.NoError(b, err)
	b.Cleanup(func() { raw.Close() })
	_, err = raw.Receive() // the buffered setupComplete
	require.NoError(b, err)
	rawConn, err = srv.WaitConn(ctx, 1)
	require.NoError(b, err)
	return st, stConn, raw, rawConn
}

// audioFrame is one 40 ms chunk of model audio as the service frames it.
func audioFrame(b *testing.B) []byte {
	pcm := geminitest.Tone(300, 24000, 40)
	data, err := json.Marshal(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		ModelTurn: &genai.Content{Role: "model", Parts: []*genai.Part{{InlineData: &genai.Blob{Data: pcm, MIMEType: "audio/pcm;rate=24000"}}}},
	}})
	require.NoError(b, err)
	return data
}

func percentile(d []time.Duration, p float64) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// BenchmarkDownlink measures, per audio frame, the time from the fake server
// writing it to the caller holding it: through gemini.Stream.Receive, and
// through a bare loop on the SDK's Session.Receive on a second connection to
// the same server, interleaved in the same run. One op is one frame each way.
func BenchmarkDownlink(b *testing.B) {
	st, stConn, raw, rawConn := benchPair(b)
	frame := audioFrame(b)
	ctx := context.Background()
	ours := make([]time.Duration, 0, b.N)
	base := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	rawOnce := func() {
		t0 := time.Now()
		if err := rawConn.SendRaw(frame, true); err != nil {
			b.Fatal(err)
		}
		if _, err := raw.Receive(); err != nil {
			b.Fatal(err)
		}
		base = append(base, time.Since(t0))
	}
	oursOnce := func() {
		t0 := time.Now()
		if err := stConn.SendRaw(frame, true); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Receive(ctx); err != nil {
			b.Fatal(err)
		}
		ours = append(ours, time.Since(t0))
	}
	for i := range b.N {
		// Alternate the order so neither side profits from a warm cache.
		if i%2 == 0 {
			rawOnce()
			oursOnce()
		} else {
			oursOnce()
			rawOnce()
		}
	}
	b.StopTimer()
	p50o, p50r := percentile(ours, 0.5), percentile(base, 0.5)
	p99o, p99r := percentile(ours, 0.99), percentile(base, 0.99)
	b.ReportMetric(float64(p50r.Microseconds()), "raw-p50-µs")
	b.ReportMetric(float64(p50o.Microseconds()), "ours-p50-µs")
	b.ReportMetric(float64(p99r.Microseconds()), "raw-p99-µs")
	b.ReportMetric(float64(p99o.Microseconds()), "ours-p99-µs")
	b.ReportMetric(float64(p50o)/float64(p50r), "ratio-p50")
	b.ReportMetric(float64((p50o - p50r).Microseconds()), "added-p50-µs")
	b.ReportMetric(float64((p99o - p99r).Microseconds()), "added-p99-µs")
}

// BenchmarkUplink is the cost of sending one 20 ms chunk of 16 kHz audio
// (640 bytes): through gemini.Stream.Send, and through the SDK's
// SendRealtimeInput directly.
func BenchmarkUplink(b *testing.B) {
	pcm := make([]byte, 640)
	b.Run("gemini", func(b *testing.B) {
		st, _, _, _ := benchPair(b)
		ctx := context.Background()
		sym := fullduplex.AudioSymbol(pcm, 16000)
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		b.ResetTimer()
		for range b.N {
			if err := st.Send(ctx, sym); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw-sdk", func(b *testing.B) {
		_, _, raw, _ := benchPair(b)
		in := genai.LiveRealtimeInput{Audio: &genai.Blob{Data: pcm, MIMEType: "audio/pcm;rate=16000"}}
		b.ReportAllocs()
		b.SetBytes(int64(len(pcm)))
		b.ResetTimer()
		for range b.N {
			if err := raw.SendRealtimeInput(in); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkHugeFrame measures what one 20 MB server message costs the
// client (B/op): refused at its header under the default MaxFrameSize
// (then a reconnect), read and parsed in full without a limit. One op is
// one message.
func BenchmarkHugeFrame(b *testing.B) {
	huge, err := json.Marshal(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		ModelTurn: &genai.Content{Role: "model", Parts: []*genai.Part{{InlineData: &genai.Blob{Data: make([]byte, 15<<20), MIMEType: "audio/pcm;rate=24000"}}}},
	}})
	require.NoError(b, err)
	for _, bc := range []struct {
		name  string
		limit int
	}{{"default-limit", 0}, {"no-limit", -1}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := geminitest.NewServer(geminitest.Options{APIKey: testKey})
			b.Cleanup(srv.Close)
			ctx := context.Background()
			st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey, MaxFrameSize: bc.limit, MaxReconnects: 1 << 30, ReconnectBackoff: time.Millisecond})
			b.Cleanup(func() { st.Close() })
			require.NoError(b, st.Connect(ctx))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				c, err := srv.WaitConn(ctx, len(srv.Conns())-1)
				require.NoError(b, err)
				_ = c.SendRaw(huge, true)
				for done := false; !done; {
					it, err := st.Receive(ctx)
					require.NoError(b, err)
					switch v := it.(type) {
					case fullduplex.Symbol:
						done = true
					case fullduplex.StreamEvent:
						done = v.Type == fullduplex.EventReconnect
					}
				}
			}
		})
	}
}
