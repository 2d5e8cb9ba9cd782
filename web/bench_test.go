//go:build unix

package web_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/loadstat"
	"github.com/fullduplex-go/fullduplex/web"
)

// BenchmarkPages runs N fake pages at once on loopback, each a Go client
// speaking the wire protocol: it streams 20 ms frames of 16 kHz PCM in real
// time for benchStream, and the server sends each frame back as model
// audio. transport=web goes through web.Conn (Source, queue, Sink,
// writer); transport=raw is the baseline, a bare gorilla echo with the same
// frames and clients. Reported per connection: CPU (process user+sys, the
// clients included, as a percentage of one core), live heap, goroutines;
// and the round trip of a frame, client to client, p50 and p99. Every run
// checks that no frame was lost or reordered. Run with -benchtime 1x.
func BenchmarkPages(b *testing.B) {
	for _, transport := range []string{"raw", "web"} {
		for _, n := range []int{10, 100} {
			b.Run(fmt.Sprintf("transport=%s/N=%d", transport, n), func(b *testing.B) {
				for range b.N {
					benchPages(b, transport, n)
				}
			})
		}
	}
}

const benchStream = 3 * time.Second

func benchPages(b *testing.B, transport string, n int) {
	var h http.Handler
	var closeHandler func()
	switch transport {
	case "web":
		wh, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
			for {
				s, err := c.Next(ctx)
				if err != nil {
					return err
				}
				if err := c.Write(ctx, fullduplex.AudioSymbol(s.Data, 16000)); err != nil {
					return err
				}
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		h, closeHandler = wh, func() { wh.Close() }
	case "raw":
		up := websocket.Upgrader{ReadBufferSize: 4096, WriteBufferSize: 4096}
		h, closeHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := up.Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			for {
				mt, data, err := ws.ReadMessage()
				if err != nil {
					return
				}
				if ws.WriteMessage(mt, data) != nil {
					return
				}
			}
		}), func() {}
	}
	srv := newServer(h)
	defer func() { srv.Close(); closeHandler() }()
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + web.WebSocketPath

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	g0 := runtime.NumGoroutine()

	frames := int(benchStream / (20 * time.Millisecond))
	var total atomic.Int64
	half, halfway := int64(n*frames/2), make(chan struct{})
	pages := make([]*page, n)
	for i := range pages {
		ws, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			b.Fatal(err)
		}
		pages[i] = &page{ws: ws, want: frames, total: &total, half: half, halfway: halfway}
	}
	var wg sync.WaitGroup
	start := make(chan struct{})
	for _, p := range pages {
		wg.Add(2)
		go func() { defer wg.Done(); p.receive() }()
		go func() { defer wg.Done(); p.stream(start, frames) }()
	}
	cpu0 := loadstat.CPUTime()
	t0 := time.Now()
	close(start)
	// Midway (half of all frames back): what every connection holds while
	// it streams.
	finished := make(chan struct{})
	go func() { wg.Wait(); close(finished) }()
	select {
	case <-halfway:
	case <-finished: // a page failed early: reported below
	}
	var mid runtime.MemStats
	runtime.ReadMemStats(&mid)
	goroutines := runtime.NumGoroutine() - g0
	<-finished
	cpu := loadstat.CPUTime() - cpu0
	wall := time.Since(t0)

	var rtt []time.Duration
	for _, p := range pages {
		if p.err != nil {
			b.Fatal(p.err)
		}
		rtt = append(rtt, p.rtt...)
		p.ws.Close()
	}
	slices.Sort(rtt)
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds()/float64(n), "cpu%/conn")
	b.ReportMetric(float64(int64(mid.HeapInuse)-int64(before.HeapInuse))/1024/float64(n), "heapKB/conn")
	b.ReportMetric(float64(goroutines)/float64(n), "goroutines/conn")
	b.ReportMetric(float64(rtt[len(rtt)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(rtt[len(rtt)*99/100].Microseconds())/1000, "p99-ms")
}

// A page is one fake browser tab.
type page struct {
	ws      *websocket.Conn
	want    int
	rtt     []time.Duration
	err     error
	total   *atomic.Int64 // frames back, all pages
	half    int64         // total at which halfway is closed
	halfway chan struct{}
}

// stream sends frames 20 ms apart, each stamped with its sequence number
// and send time.
func (p *page) stream(start <-chan struct{}, frames int) {
	<-start
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	buf := make([]byte, 640)
	for i := range frames {
		<-tick.C
		binary.LittleEndian.PutUint32(buf, uint32(i))
		binary.LittleEndian.PutUint64(buf[4:], uint64(time.Now().UnixNano()))
		mt, data := web.EncodeClient(web.ClientAudio{Rate: 16000, PCM: buf})
		if err := p.ws.WriteMessage(mt, data); err != nil {
			p.err = err
			return
		}
	}
}

// receive reads the echoed frames until it has them all, checking order.
func (p *page) receive() {
	next := 0
	for next < p.want {
		mt, data, err := p.ws.ReadMessage()
		if err != nil {
			p.err = fmt.Errorf("after %d frames: %w", next, err)
			return
		}
		if mt != websocket.BinaryMessage {
			continue // control messages
		}
		m, err := web.DecodeClient(mt, data, web.Limits{}) // the raw echo returns client frames
		var pcm []byte
		if err == nil {
			pcm = m.(web.ClientAudio).PCM
		} else if sm, err2 := web.DecodeServer(mt, data, web.Limits{}); err2 == nil {
			pcm = sm.(web.ServerAudio).PCM
		} else {
			p.err = err2
			return
		}
		if seq := int(binary.LittleEndian.Uint32(pcm)); seq != next {
			p.err = fmt.Errorf("frame %d arrived as number %d: lost or reordered", seq, next)
			return
		}
		p.rtt = append(p.rtt, time.Since(time.Unix(0, int64(binary.LittleEndian.Uint64(pcm[4:])))))
		next++
		if p.total.Add(1) == p.half {
			close(p.halfway)
		}
	}
}

func newServer(h http.Handler) *httptest.Server { return httptest.NewServer(h) }

func dialB(b *testing.B, base string) *websocket.Conn {
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(base, "http")+web.WebSocketPath, nil)
	if err != nil {
		b.Fatal(err)
	}
	return ws
}
