package openai_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
)

// cpuNow is the process's CPU time so far (user + system).
func cpuNow() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// Downlink, ours against the bare gorilla loop in one run: blocks of
// downBlock frames alternate between openai.Stream's Receive and the bare
// loop (read, decode the JSON, decode the base64), each on its own
// connection to its own server writing as fast as it can; so load on the
// machine falls on both alike. The stream's ReceiveBuffer is 1, so its
// reader cannot work ahead (off the clock) while the bare loop is timed.
// One op is one frame each way. Reports each side's wall and CPU time per
// frame and the ratios (ours / bare).
func BenchmarkDownlinkInterleaved(b *testing.B) {
	const downBlock = 100
	n := (b.N + downBlock - 1) / downBlock * downBlock
	ours := newBenchServer(b, "down", n, true)
	bare := newBenchServer(b, "down", n, false)
	st := openai.NewStream(openai.Config{BaseURL: ours.url(), APIKey: "k", ReceiveBuffer: 1})
	defer st.Close()
	ctx := context.Background()
	if err := st.Connect(ctx); err != nil {
		b.Fatal(err)
	}
	_, _ = st.Receive(ctx) // EventConnected
	ws, _, err := websocket.DefaultDialer.Dial(bare.url()+"/realtime", nil)
	if err != nil {
		b.Fatal(err)
	}
	defer ws.Close()
	_, _, _ = ws.ReadMessage() // response.created
	readOurs := func() {
		for got := 0; got < downBlock; {
			it, err := st.Receive(ctx)
			if err != nil {
				b.Fatal(err)
			}
			if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
				got++
			}
		}
	}
	readBare := func() {
		for range downBlock {
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
	var wall, cpu [2]time.Duration // 0: ours, 1: bare
	timed := func(side int, f func()) {
		w0, c0 := time.Now(), cpuNow()
		f()
		wall[side] += time.Since(w0)
		cpu[side] += cpuNow() - c0
	}
	b.SetBytes(int64(len(benchFrame)))
	b.ResetTimer()
	for i := 0; i < n/downBlock; i++ {
		if i%2 == 0 { // alternate which goes first
			timed(0, readOurs)
			timed(1, readBare)
		} else {
			timed(1, readBare)
			timed(0, readOurs)
		}
	}
	b.StopTimer()
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / float64(n) }
	b.ReportMetric(per(wall[0]), "ours-ns/frame")
	b.ReportMetric(per(wall[1]), "bare-ns/frame")
	b.ReportMetric(float64(wall[0])/float64(wall[1]), "wall-ratio")
	b.ReportMetric(per(cpu[0]), "ours-cpu-ns/frame")
	b.ReportMetric(per(cpu[1]), "bare-cpu-ns/frame")
	b.ReportMetric(float64(cpu[0])/float64(cpu[1]), "cpu-ratio")
}
