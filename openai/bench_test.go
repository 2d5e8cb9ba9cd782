package openai_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// A benchServer is a minimal Realtime server for throughput: it does the
// handshake (session.created, session.updated) when asked, then either
// writes n audio deltas of 20 ms (down) or reads n frames (up).
type benchServer struct {
	ln   net.Listener
	srv  *http.Server
	wg   sync.WaitGroup
	mode string // "down" or "up"
	n    int
	done chan struct{} // up: closed when n frames were read
}

var benchFrame = func() []byte {
	b, _ := json.Marshal(map[string]any{"type": "response.output_audio.delta", "response_id": "resp_1", "item_id": "item_1",
		"output_index": 0, "content_index": 0, "delta": base64.StdEncoding.EncodeToString(openaitest.Tone(300, 24000, 20))})
	return b
}()

func newBenchServer(b *testing.B, mode string, n int, handshake bool) *benchServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	s := &benchServer{ln: ln, mode: mode, n: n, done: make(chan struct{})}
	up := websocket.Upgrader{}
	s.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		if handshake {
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"session.created","session":{"id":"sess_b"}}`))
			_, _, _ = ws.ReadMessage()
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"session.updated","session":{}}`))
		}
		switch s.mode {
		case "down":
			_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"response.created","response":{"id":"resp_1"}}`))
			pm, _ := websocket.NewPreparedMessage(websocket.TextMessage, benchFrame)
			for range s.n {
				if ws.WritePreparedMessage(pm) != nil {
					return
				}
			}
			_, _, _ = ws.ReadMessage() // until the client goes
		case "up":
			for i := 0; i < s.n; i++ {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
			close(s.done)
			_, _, _ = ws.ReadMessage()
		}
	})}
	s.wg.Add(1)
	go func() { defer s.wg.Done(); _ = s.srv.Serve(ln) }()
	b.Cleanup(func() { _ = s.srv.Close(); s.wg.Wait() })
	return s
}

func (s *benchServer) url() string { return "ws://" + s.ln.Addr().String() + "/v1" }

// Downlink: audio deltas through openai.Stream's Receive, per frame.
func BenchmarkDownlinkStream(b *testing.B) {
	srv := newBenchServer(b, "down", b.N, true)
	st := openai.NewStream(openai.Config{BaseURL: srv.url(), APIKey: "k"})
	defer st.Close()
	ctx := context.Background()
	if err := st.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	_, _ = st.Receive(ctx) // EventConnected
	b.SetBytes(int64(len(benchFrame)))
	b.ReportAllocs()
	b.ResetTimer()
	for got := 0; got < b.N; {
		it, err := st.Receive(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
			got++
		}
	}
}

// Downlink baseline: the bare gorilla loop a user would write: read, decode
// the JSON event, decode the base64 audio.
func BenchmarkDownlinkBareLoop(b *testing.B) {
	srv := newBenchServer(b, "down", b.N, false)
	ws, _, err := websocket.DefaultDialer.Dial(srv.url()+"/realtime", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	_, _, _ = ws.ReadMessage() // response.created
	b.SetBytes(int64(len(benchFrame)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		_, data, err := ws.ReadMessage()
		if err != nil {
			b.Fatal(err)
		}
		var ev struct {
			Type  string `json:"type"`
			Delta string `json:"delta"`
		}
		if err := json.Unmarshal(data, &ev); err != nil {
			b.Fatal(err)
		}
		if _, err := base64.StdEncoding.DecodeString(ev.Delta); err != nil {
			b.Fatal(err)
		}
	}
}

var upChunk = openaitest.Tone(300, 24000, 20) // 20 ms at the wire rate

// Uplink: 20 ms audio symbols at 24 kHz through openai.Stream's Send until
// the server has read them all, per frame.
func BenchmarkUplinkStream(b *testing.B) {
	srv := newBenchServer(b, "up", b.N+1, true)
	st := openai.NewStream(openai.Config{BaseURL: srv.url(), APIKey: "k"})
	defer st.Close()
	ctx := context.Background()
	if err := st.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	sym := fd.AudioSymbol(upChunk, 24000)
	b.SetBytes(int64(len(upChunk)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := st.Send(ctx, sym); err != nil {
			b.Fatal(err)
		}
	}
	_ = st.Send(ctx, sym)
	<-srv.done
}

// Uplink baseline: the bare loop: base64 the chunk into the append event
// and write it.
func BenchmarkUplinkBareLoop(b *testing.B) {
	srv := newBenchServer(b, "up", b.N, false)
	ws, _, err := websocket.DefaultDialer.Dial(srv.url()+"/realtime", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	b.SetBytes(int64(len(upChunk)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		frame := `{"type":"input_audio_buffer.append","audio":"` + base64.StdEncoding.EncodeToString(upChunk) + `"}`
		if err := ws.WriteMessage(websocket.TextMessage, []byte(frame)); err != nil {
			b.Fatal(err)
		}
	}
	<-srv.done
}

// Interrupt → truncate sent: from InterruptOutput to the server reading
// conversation.item.truncate, with a speaker reporting its play position.
// Reports p50 and p99 over b.N cuts.
func BenchmarkInterruptToTruncate(b *testing.B) {
	srv := openaitest.NewServer(openaitest.Options{})
	defer srv.Close()
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	defer st.Close()
	ctx := context.Background()
	if err := st.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	conn, err := srv.WaitConn(ctx, 0)
	if err != nil {
		b.Fatal(err)
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		srv.Script(openaitest.Reply{Audio: [][]byte{upChunk, upChunk}, Text: []string{"x"}, Hang: true})
		if err := st.Send(ctx, fd.TextSymbol("q")); err != nil {
			b.Fatal(err)
		}
		for {
			it, err := st.Receive(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
				break
			}
		}
		speaker.SetPlayed(i+1, 10*time.Millisecond)
		t0 := time.Now()
		if err := st.InterruptOutput(ctx); err != nil {
			b.Fatal(err)
		}
		evs, err := conn.WaitCount(ctx, openaitest.IsType("conversation.item.truncate"), i+1)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, evs[i].At.Sub(t0))
		for {
			it, err := st.Receive(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventInterrupt {
				break
			}
		}
	}
	b.StopTimer()
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[min(len(lat)-1, len(lat)*99/100)].Microseconds()), "p99-µs")
}
