package twilio_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/loadstat"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

// BenchmarkCalls is the load test: N simulated phone calls at once on
// loopback, in one process with the server. Each call streams real-time
// paced speech (hello.wav, 20 ms μ-law frames, one every 20 ms) for
// loadSeconds through a Handler and a DuplexSession to an echo model that
// answers each frame at once with the same audio, which goes back to the
// caller as μ-law. It reports, per frame:
//
//   - up-p50/up-p99: from the fake Twilio writing the frame to the model's
//     Send getting its symbol (socket, JSON, μ-law, 8→16 kHz, queue,
//     session);
//   - down-p50/down-p99: from the model's Receive returning the answer to
//     the fake Twilio reading its media message (session, 16→8 kHz,
//     μ-law, JSON, outbox, socket);
//
// and per call: CPU (the whole run's CPU time per second of call, in
// percent of one core), heap and goroutines, plus lost and reordered
// frames (each must be 0) and calls that failed. sched-p99 (how long
// runnable goroutines waited for a thread) and host-cpu-pressure (Linux
// PSI: how often some task on the machine waited for a CPU) tell a loaded
// host from a slow program. Run it with -benchtime=1x.
//
// model=gemini runs the same calls through the real Gemini backend (the
// genai SDK) to a geminitest echo server in the same process, with speech
// and silence alternating so its voice activity detector ends each turn:
// it answers each utterance with its audio at 24 kHz. Its down latency
// counts from the backend's Receive returning each answer chunk.
func BenchmarkCalls(b *testing.B) {
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
	loadSeconds = 10              // each call's length
	loadRamp    = 2 * time.Second // calls start evenly over this
)

// loadCall is what one call measured.
type loadCall struct {
	mu       sync.Mutex
	sent     []time.Time // by chunk-1: when the fake Twilio wrote it
	got      []time.Time // by chunk-1: when the model got it
	emits    []time.Time // when the model returned each answer, in order
	turns    int         // model turns ended
	lost     int
	reorder  int
	lastSeen int
}

func (lc *loadCall) received(chunk int, at time.Time) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if chunk != lc.lastSeen+1 {
		lc.reorder++
	}
	lc.lastSeen = chunk
	if chunk >= 1 && chunk <= len(lc.got) {
		lc.got[chunk-1] = at
	}
}

func (lc *loadCall) emitted(at time.Time) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.emits = append(lc.emits, at)
}

// stamped is a backend that stamps what passes through it for a loadCall.
type stamped struct {
	fullduplex.DuplexStream
	lc *loadCall
}

func (s stamped) Send(ctx context.Context, sym fullduplex.Symbol) error {
	chunk, _ := sym.Metadata[twilio.MetaChunk].(int)
	s.lc.received(chunk, time.Now())
	return s.DuplexStream.Send(ctx, sym)
}

func (s stamped) Receive(ctx context.Context) (fullduplex.StreamItem, error) {
	item, err := s.DuplexStream.Receive(ctx)
	switch it := item.(type) {
	case fullduplex.Symbol:
		if it.Modality == fullduplex.ModalityAudio {
			s.lc.emitted(time.Now())
		}
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd {
			s.lc.emitted(time.Now()) // the resampler's tail goes out as one more media message
			s.lc.mu.Lock()
			s.lc.turns++
			s.lc.mu.Unlock()
		}
	}
	return item, err
}

// loadRun runs n calls at once and reports the metrics.
func loadRun(b *testing.B, model string, n int) {
	speech, err := twiliotest.ReadWAV("../../testdata/hello.wav")
	if err != nil {
		b.Fatal(err)
	}
	frames := loadSeconds * 50
	ulaw := make([][]byte, frames)
	utterance := len(speech)/twiliotest.FrameSamples + 50 // frames of speech, then 1 s of silence
	for i := range ulaw {
		off := (i % utterance) * twiliotest.FrameSamples
		frame := make([]int16, twiliotest.FrameSamples)
		if model == "echo" {
			off = (i * twiliotest.FrameSamples) % (len(speech) - twiliotest.FrameSamples)
		}
		if off+twiliotest.FrameSamples <= len(speech) {
			copy(frame, speech[off:])
		}
		ulaw[i] = pcm.AppendMuLaw(nil, frame)
	}
	wantTurns := frames / utterance

	var newModel func(lc *loadCall) fullduplex.DuplexStream
	switch model {
	case "echo":
		newModel = func(lc *loadCall) fullduplex.DuplexStream {
			return loadstat.NewEcho(func(s fullduplex.Symbol, at time.Time) {
				chunk, _ := s.Metadata[twilio.MetaChunk].(int)
				lc.received(chunk, at)
			}, lc.emitted)
		}
	case "gemini":
		gsrv := geminitest.NewServer(geminitest.Options{Echo: true, DiscardMessages: true})
		defer gsrv.Close()
		gcfg := gemini.Config{BaseURL: gsrv.URL(), APIKey: gsrv.APIKey()}
		newModel = func(lc *loadCall) fullduplex.DuplexStream {
			return stamped{gemini.NewStream(gcfg), lc}
		}
	}

	calls := make(map[string]*loadCall, n)
	lcs := make([]*loadCall, n)
	for i := range n {
		lcs[i] = &loadCall{sent: make([]time.Time, frames), got: make([]time.Time, frames)}
		calls[fmt.Sprintf("CA%032d", i)] = lcs[i]
	}
	var callsMu sync.Mutex
	h := &twilio.Handler{Serve: func(ctx context.Context, call *twilio.Call) error {
		callsMu.Lock()
		lc := calls[call.CallSid()]
		callsMu.Unlock()
		stream := newModel(lc)
		defer stream.Close()
		return fullduplex.NewDuplexSession(stream).RunDuplex(ctx, call, call)
	}}
	var handlers sync.WaitGroup // http.Server does not wait for WebSockets
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		handlers.Add(1)
		defer handlers.Done()
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer handlers.Wait()
	url := "ws" + strings.TrimPrefix(srv.URL, "http")

	run := loadstat.Run{Unit: "call", N: n, Seconds: loadSeconds, Before: loadstat.Take(true)}

	ctx, cancel := context.WithTimeout(context.Background(), loadSeconds*time.Second+loadRamp+60*time.Second)
	defer cancel()
	clients := make([]*twiliotest.Client, n)
	steady := make(chan struct{}) // every call is streaming
	var ready, wg sync.WaitGroup
	ready.Add(n)
	errs := make(chan error, n)
	failed := make([]bool, n) // by call: it ended in an error (its frames are not counted)
	b.ResetTimer()
	start := time.Now()
	for i := range n {
		sid := fmt.Sprintf("CA%032d", i)
		lc := lcs[i]
		wg.Go(func() {
			if d := time.Until(start.Add(loadRamp * time.Duration(i) / time.Duration(n))); d > 0 {
				time.Sleep(d) // spread the calls' starts like real traffic
			}
			c, err := twiliotest.Dial(ctx, url, twiliotest.Options{CallSid: sid, StreamSid: "MZ" + sid[2:], DiscardAudio: true})
			if err != nil {
				ready.Done()
				failed[i] = true
				errs <- err
				return
			}
			clients[i] = c
			tick := time.NewTicker(twiliotest.FrameDuration)
			defer tick.Stop()
			for f := range frames {
				if f == 1 {
					ready.Done()
				}
				lc.mu.Lock()
				lc.sent[f] = time.Now()
				lc.mu.Unlock()
				if err := c.SendFrame(ulaw[f]); err != nil {
					if f == 0 {
						ready.Done()
					}
					failed[i] = true
					errs <- err
					return
				}
				<-tick.C
			}
			// Every answer has come back.
			done := func(s twiliotest.Snapshot) bool { return s.Media >= frames }
			if model == "gemini" {
				done = func(s twiliotest.Snapshot) bool {
					lc.mu.Lock()
					defer lc.mu.Unlock()
					return lc.turns >= wantTurns && s.Media >= len(lc.emits)
				}
			}
			if err := c.Wait(ctx, done); err != nil {
				failed[i] = true
				errs <- fmt.Errorf("call %d: %w", i, err)
			}
		})
	}
	go func() { ready.Wait(); close(steady) }()

	// What the process holds and gets while every call is streaming.
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
			b.Logf("a call failed: %v", err)
		}
	}
	for _, c := range clients {
		if c != nil {
			_ = c.Hangup()
		}
	}

	for i, lc := range lcs {
		if failed[i] {
			continue
		}
		lc.mu.Lock()
		for f := range frames {
			if lc.got[f].IsZero() {
				run.Lost++
				continue
			}
			run.Up = append(run.Up, lc.got[f].Sub(lc.sent[f]))
		}
		run.Reordered += lc.reorder
		if c := clients[i]; c != nil {
			arrived, _ := c.Arrivals()
			run.Lost += abs(len(lc.emits) - len(arrived))
			for k := range min(len(arrived), len(lc.emits)) {
				run.Down = append(run.Down, arrived[k].Sub(lc.emits[k]))
			}
		}
		lc.mu.Unlock()
	}
	run.Report(b)
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
