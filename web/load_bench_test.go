//go:build unix

package web_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/loadstat"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/web"
)

// BenchmarkConns is the load test through web, measured like
// telephony/twilio's BenchmarkCalls: N fake pages at once on loopback, in
// one process with the server. Each page streams real-time paced speech
// (hello.wav, 20 ms frames of 16 kHz PCM, one every 20 ms) for
// loadSeconds through a Handler, a Conn and a DuplexSession
// (Serve runs session.RunDuplex(ctx, c, c): the transport and the session,
// without Conn.Run's barge-in watcher) to an echo model that answers each
// frame at once with the same audio, which goes back to the page as a
// binary audio frame. It reports, per frame:
//
//   - up-p50/up-p99: from the page writing the frame to the model's Send
//     getting its symbol (socket, frame decoding, input queue, Next,
//     session);
//   - down-p50/down-p99: from the model's Receive returning the answer to
//     the page reading its audio frame (session, Write, output queue,
//     writer, socket);
//
// and per connection: CPU (the whole run's CPU time per second of
// conversation, in percent of one core, the pages included), heap and
// goroutines, plus lost and reordered frames (each must be 0; every frame
// carries its number in its first samples) and pages that failed.
// sched-p99 (how long runnable goroutines waited for a thread) and
// host-cpu-pressure (Linux PSI: how often some task on the machine waited
// for a CPU) tell a loaded host from a slow program. Run it with
// -benchtime=1x.
//
// model=gemini runs the same pages through the real Gemini backend (the
// genai SDK) to a geminitest echo server in the same process, with speech
// and silence alternating so its voice activity detector ends each turn:
// it answers each utterance with its audio at 24 kHz. Its down latency
// counts from the backend's Receive returning each answer chunk.
func BenchmarkConns(b *testing.B) {
	for _, model := range []string{"echo", "gemini"} {
		for _, n := range []int{10, 100, 200, 500} {
			b.Run(fmt.Sprintf("model=%s/N=%d", model, n), func(b *testing.B) {
				for range b.N {
					loadRun(b, model, n)
				}
			})
		}
	}
}

const (
	loadSeconds = 10              // each conversation's length
	loadRamp    = 2 * time.Second // pages connect evenly over this
	frameBytes  = 640             // 20 ms of 16 kHz 16-bit PCM
)

// stampFrame writes frame number seq into the first two samples of a
// frame; frameNumber reads it back.
func stampFrame(frame []byte, seq int) { binary.LittleEndian.PutUint32(frame, uint32(seq)) }
func frameNumber(frame []byte) int     { return int(binary.LittleEndian.Uint32(frame)) }

// loadConn is what one connection measured, both ends.
type loadConn struct {
	mu      sync.Mutex
	sent    []time.Time // by frame: when the page wrote it
	got     []time.Time // by frame: when the model got it
	emits   []time.Time // when the model returned each answer, in order
	arrived []time.Time // when the page read each audio frame, in order
	lastGot int         // frame number the model got last
	lastIn  int         // frame number the page read last (echo)
	reorder int
	turns   int // turn ends the page read
	changed chan struct{}
}

func newLoadConn(frames int) *loadConn {
	return &loadConn{sent: make([]time.Time, frames), got: make([]time.Time, frames),
		lastGot: -1, lastIn: -1, changed: make(chan struct{}, 1)}
}

// received notes that the model got the frame data (its number is in its
// first samples) at at.
func (lc *loadConn) received(data []byte, at time.Time) {
	if len(data) < 4 {
		return
	}
	seq := frameNumber(data)
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if seq != lc.lastGot+1 {
		lc.reorder++
	}
	lc.lastGot = seq
	if seq >= 0 && seq < len(lc.got) {
		lc.got[seq] = at
	}
	lc.signal()
}

// signal wakes the page waiting for its answers.
func (lc *loadConn) signal() {
	select {
	case lc.changed <- struct{}{}:
	default:
	}
}

func (lc *loadConn) emitted(at time.Time) {
	lc.mu.Lock()
	lc.emits = append(lc.emits, at)
	lc.mu.Unlock()
}

// stamped is a backend that stamps what passes through it for a loadConn.
type stamped struct {
	fullduplex.DuplexStream
	lc *loadConn
}

func (s stamped) Send(ctx context.Context, sym fullduplex.Symbol) error {
	if sym.Modality == fullduplex.ModalityAudio {
		s.lc.received(sym.Data, time.Now())
	}
	return s.DuplexStream.Send(ctx, sym)
}

func (s stamped) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	item, err := s.DuplexStream.Receive(ctx)
	if sym, ok := item.(fullduplex.Symbol); ok && sym.Modality == fullduplex.ModalityAudio && len(sym.Data) > 0 {
		s.lc.emitted(time.Now())
	}
	return item, err
}

// loadPage is one fake browser tab: it streams frames and reads what comes
// back, noting when.
type loadPage struct {
	ws   *websocket.Conn
	lc   *loadConn
	echo bool
}

// read reads frames until the connection ends.
func (p *loadPage) read() error {
	for {
		mt, data, err := p.ws.ReadMessage()
		if err != nil {
			return err
		}
		now := time.Now()
		m, err := web.DecodeServer(mt, data, web.Limits{})
		if err != nil {
			return err
		}
		p.lc.mu.Lock()
		switch v := m.(type) {
		case web.ServerAudio:
			p.lc.arrived = append(p.lc.arrived, now)
			if p.echo {
				if seq := frameNumber(v.PCM); seq != p.lc.lastIn+1 {
					p.lc.reorder++
				}
				p.lc.lastIn = frameNumber(v.PCM)
			}
		case web.ServerTurnEnd:
			p.lc.turns++
		case web.ServerError:
			err = errors.New("the server says: " + v.Message)
		}
		p.lc.mu.Unlock()
		if err != nil {
			return err
		}
		p.lc.signal()
	}
}

// wait waits until done holds (checked with lc.mu held after each frame
// the page reads or the model gets) or ctx is done.
func (p *loadPage) wait(ctx context.Context, readErr <-chan error, done func(*loadConn) bool) error {
	for {
		p.lc.mu.Lock()
		ok := done(p.lc)
		p.lc.mu.Unlock()
		if ok {
			return nil
		}
		select {
		case <-p.lc.changed:
		case err := <-readErr:
			return fmt.Errorf("the connection ended early: %w", err)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// loadRun runs n pages at once and reports the metrics.
func loadRun(b *testing.B, model string, n int) {
	f, err := os.Open("../testdata/hello.wav")
	if err != nil {
		b.Fatal(err)
	}
	wav, err := pcm.ReadWAV(f)
	f.Close()
	if err != nil {
		b.Fatal(err)
	}
	speech := pcm.EncodeInt16(nil, wav.Samples)
	frames := loadSeconds * 50
	utterance := len(speech)/frameBytes + 50 // frames of speech, then 1 s of silence
	audio := make([][]byte, frames)
	for i := range audio {
		off := (i % utterance) * frameBytes
		if model == "echo" {
			off = (i * frameBytes) % (len(speech) - frameBytes)
		}
		audio[i] = make([]byte, frameBytes)
		if off+frameBytes <= len(speech) {
			copy(audio[i], speech[off:])
		}
		stampFrame(audio[i], i)
	}
	wantTurns := frames / utterance

	var newModel func(lc *loadConn) fullduplex.DuplexStream
	switch model {
	case "echo":
		newModel = func(lc *loadConn) fullduplex.DuplexStream {
			return loadstat.NewEcho(func(s fullduplex.Symbol, at time.Time) { lc.received(s.Data, at) }, lc.emitted)
		}
	case "gemini":
		gsrv := geminitest.NewServer(geminitest.Options{Echo: true, DiscardMessages: true})
		defer gsrv.Close()
		gcfg := gemini.Config{BaseURL: gsrv.URL(), APIKey: gsrv.APIKey()}
		newModel = func(lc *loadConn) fullduplex.DuplexStream { return stamped{gemini.NewStream(gcfg), lc} }
	}

	lcs := make(map[string]*loadConn, n)
	for i := range n {
		lcs[fmt.Sprint(i)] = newLoadConn(frames)
	}
	h, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		lc := lcs[c.Request().URL.Query().Get("page")] // read-only once the pages connect
		if lc == nil {
			return errors.New("no such page")
		}
		stream := newModel(lc)
		defer stream.Close()
		return fullduplex.NewDuplexSession(stream).RunDuplex(ctx, c, c)
	}})
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	defer h.Close() // after the pages hung up: waits for every connection's goroutines
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + web.WebSocketPath

	run := loadstat.Run{Unit: "conn", N: n, Seconds: loadSeconds, Before: loadstat.Take(true)}
	ctx, cancel := context.WithTimeout(context.Background(), loadSeconds*time.Second+loadRamp+60*time.Second)
	defer cancel()
	steady := make(chan struct{}) // every page is streaming
	var ready, wg sync.WaitGroup
	ready.Add(n)
	errs := make(chan error, n)
	failed := make([]bool, n) // by page: it ended in an error (its frames are not counted)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		lc := lcs[fmt.Sprint(i)]
		wg.Go(func() {
			fail := func(err error) {
				failed[i] = true
				errs <- fmt.Errorf("page %d: %w", i, err)
			}
			if d := time.Until(start.Add(loadRamp * time.Duration(i) / time.Duration(n))); d > 0 {
				time.Sleep(d) // spread the pages' starts like real traffic
			}
			ws, _, err := websocket.DefaultDialer.DialContext(ctx, fmt.Sprintf("%s?page=%d", url, i), nil)
			if err != nil {
				ready.Done()
				fail(err)
				return
			}
			// Answer pings within the server's WriteTimeout, not gorilla's
			// 1 s: on a starved host the fake page is not what should fail.
			ws.SetPingHandler(func(data string) error {
				err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(web.DefaultWriteTimeout))
				if errors.Is(err, websocket.ErrCloseSent) {
					return nil
				}
				return err
			})
			p := &loadPage{ws: ws, lc: lc, echo: model == "echo"}
			readErr := make(chan error, 1)
			var reader sync.WaitGroup
			reader.Go(func() { readErr <- p.read() })
			defer func() {
				// Hang up like a closing tab, then wait for the reader.
				_ = ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
				_ = ws.Close()
				reader.Wait()
			}()
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for f := range frames {
				if f == 1 {
					ready.Done()
				}
				lc.mu.Lock()
				lc.sent[f] = time.Now()
				lc.mu.Unlock()
				if err := ws.WriteMessage(web.EncodeClient(web.ClientAudio{Rate: 16000, PCM: audio[f]})); err != nil {
					if f == 0 {
						ready.Done()
					}
					fail(err)
					return
				}
				<-tick.C
			}
			// Every frame has reached the model and every answer has come
			// back.
			done := func(lc *loadConn) bool { return len(lc.arrived) >= frames }
			if model == "gemini" {
				done = func(lc *loadConn) bool {
					return lc.lastGot >= frames-1 && lc.turns >= wantTurns && len(lc.arrived) >= len(lc.emits)
				}
			}
			if err := p.wait(ctx, readErr, done); err != nil {
				fail(err)
			}
		})
	}
	go func() { ready.Wait(); close(steady) }()

	// What the process holds and gets while every page is streaming.
	<-steady
	run.Start = loadstat.Take(false)
	time.Sleep(time.Duration(loadSeconds)*time.Second - loadRamp - time.Second)
	run.End = loadstat.Take(false)

	wg.Wait()
	run.Final = loadstat.Take(false)
	b.StopTimer()
	close(errs)
	for err := range errs {
		if run.Failed++; run.Failed <= 3 {
			b.Logf("a page failed: %v", err)
		}
	}

	for i := range n {
		if failed[i] {
			continue
		}
		lc := lcs[fmt.Sprint(i)]
		lc.mu.Lock()
		for f := range frames {
			if lc.got[f].IsZero() {
				run.Lost++
				continue
			}
			run.Up = append(run.Up, lc.got[f].Sub(lc.sent[f]))
		}
		run.Reordered += lc.reorder
		run.Lost += max(len(lc.emits)-len(lc.arrived), len(lc.arrived)-len(lc.emits))
		for k := range min(len(lc.arrived), len(lc.emits)) {
			run.Down = append(run.Down, lc.arrived[k].Sub(lc.emits[k]))
		}
		lc.mu.Unlock()
	}
	run.Report(b)
}
