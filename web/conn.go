package web

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// ErrClosed is returned by Write, and by Next once everything received has
// been returned, after the connection ended. The error Next returns says
// why (the page closed it, a bad frame, a timeout) and wraps ErrClosed.
var ErrClosed = errors.New("web: connection closed")

// A Conn is one page's conversation: a fullduplex.Source of what the page
// captures (16-bit PCM audio at Config.InputRate, and JPEG video frames
// while the user shares a camera or screen), and a fullduplex.Sink,
// Flusher and PlaybackReporter for what the model says. The page plays the
// audio with its own jitter buffer, drops it at once on Flush, and reports
// how much of each turn it played.
//
// Next is for one goroutine at a time and Write for one goroutine at a
// time (as every Source and Sink); Flush, Played, Playing, Stats and
// Request are safe from any goroutine.
type Conn struct {
	ws     *websocket.Conn
	cfg    *Config
	req    *http.Request
	ctx    context.Context // cancelled when the connection ends, with the reason as its cause
	cancel context.CancelCauseFunc
	out    *outQueue

	in       chan fullduplex.Symbol // what the page sent, for Next
	readDone chan struct{}          // closed when the reader stops
	readErr  error                  // why it stopped; written before readDone is closed

	interrupt atomic.Pointer[func()] // Run's session.Interrupt, for the page's stop button

	// Next's goroutine owns these.
	det        *vad.EnergyDetector
	samples    []int16
	lastSpeech atomic.Int64 // UnixNano of the last voiced frame seen by Next (0: none)

	// Write's goroutine owns these.
	boundaries int   // turn terminators written
	audioTurn  int   // turn of the last model audio written
	answerAt   int64 // UnixNano of the current turn's first audio (0: none yet)
	latency    time.Duration
	speechUsed int64 // the lastSpeech value the latest latency was measured from

	mu       sync.Mutex            // guards the playback state below
	sent     map[int]time.Duration // audio written, per turn
	played   map[int]time.Duration // audio the page reported played, per turn
	sentTurn int                   // the turn of the last audio written
	queued   time.Duration         // audio the page holds, as of its last report
	queuedOf int                   // the turn of that report
	flushed  bool                  // Flush since the last audio written

	audioIn, videoIn, audioOut atomic.Int64
}

var (
	_ fullduplex.Source           = (*Conn)(nil)
	_ fullduplex.Sink             = (*Conn)(nil)
	_ fullduplex.Flusher          = (*Conn)(nil)
	_ fullduplex.PlaybackReporter = (*Conn)(nil)
)

// Stats counts a connection's frames. A plain value.
type Stats struct {
	AudioIn  int64 // audio frames from the page
	VideoIn  int64 // video frames from the page
	AudioOut int64 // audio frames to the page
}

// serve runs one connection: its reader and writer goroutines, and
// cfg.Serve on this one. It returns when all three have finished.
func serve(parent context.Context, ws *websocket.Conn, r *http.Request, cfg *Config) {
	c := newConn(parent, ws, r, cfg)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); c.readLoop() }()
	go func() { defer wg.Done(); c.writeLoop() }()
	err := cfg.Serve(c.ctx, c)
	c.finish(err)
	wg.Wait()
}

func newConn(parent context.Context, ws *websocket.Conn, r *http.Request, cfg *Config) *Conn {
	c := &Conn{
		ws: ws, cfg: cfg, req: r,
		out:      newOutQueue(cfg.OutputQueueBytes),
		in:       make(chan fullduplex.Symbol, cfg.InputQueue),
		readDone: make(chan struct{}),
		sent:     map[int]time.Duration{},
		played:   map[int]time.Duration{},
	}
	c.ctx, c.cancel = context.WithCancelCause(parent)
	fps := cfg.VideoFPS
	if fps < 0 {
		fps = 0
	}
	c.out.pushNow(control(ServerReady{InputRate: cfg.InputRate, FrameMS: int(cfg.Frame / time.Millisecond), VideoFPS: fps, MaxVideo: cfg.Limits.MaxVideoBytes}))
	return c
}

func control(m ServerMessage) outItem {
	mt, data := EncodeServer(m)
	return outItem{messageType: mt, data: data}
}

// Request returns the HTTP request that opened the connection (its
// headers, cookies and URL, e.g. for what Config.Authorize checked).
func (c *Conn) Request() *http.Request { return c.req }

// Stats returns the frame counts so far.
func (c *Conn) Stats() Stats {
	return Stats{AudioIn: c.audioIn.Load(), VideoIn: c.videoIn.Load(), AudioOut: c.audioOut.Load()}
}

// end ends the connection for reason; the first reason sticks.
func (c *Conn) end(reason error) { c.cancel(reason) }

// finishing is the reason end records when Serve returned: the writer
// sends what is queued, then a close frame.
type finishing struct{ err error }

func (f *finishing) Error() string {
	if f.err == nil {
		return "web: conversation ended"
	}
	return "web: conversation ended: " + f.err.Error()
}

func (f *finishing) Unwrap() []error {
	if f.err == nil {
		return []error{ErrClosed}
	}
	return []error{ErrClosed, f.err}
}

// finish records that Serve returned with err: the writer drains the
// queue and closes.
func (c *Conn) finish(err error) {
	if err != nil && !errors.Is(err, context.Canceled) && c.ctx.Err() == nil {
		c.out.pushNow(control(ServerError{Message: err.Error()}))
	}
	c.out.pushNow(outItem{messageType: websocket.CloseMessage, data: closeFrame(err), reason: &finishing{err}})
}

func closeFrame(err error) []byte {
	if err != nil && !errors.Is(err, context.Canceled) {
		return websocket.FormatCloseMessage(websocket.CloseInternalServerErr, "conversation failed")
	}
	return websocket.FormatCloseMessage(websocket.CloseNormalClosure, "conversation ended")
}

// readLoop reads the page's frames until the connection ends. After a
// bad frame the writer ends the connection, once it has told the page why.
func (c *Conn) readLoop() {
	err := c.read()
	c.readErr = err
	close(c.readDone)
	if !errors.Is(err, ErrBadFrame) {
		c.end(err)
	}
}

func (c *Conn) read() error {
	idle := c.cfg.IdleTimeout
	c.ws.SetReadLimit(c.cfg.Limits.frameLimit())
	c.ws.SetPongHandler(func(string) error { return c.ws.SetReadDeadline(time.Now().Add(idle)) })
	for {
		_ = c.ws.SetReadDeadline(time.Now().Add(idle))
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			return c.readError(err)
		}
		msg, err := DecodeClient(mt, data, c.cfg.Limits)
		if err == nil {
			err = c.handle(msg)
		}
		if err != nil {
			err = fmt.Errorf("%w: %w", ErrClosed, err)
			c.out.pushNow(control(ServerError{Message: err.Error()}))
			c.out.pushNow(outItem{messageType: websocket.CloseMessage, reason: err,
				data: websocket.FormatCloseMessage(websocket.CloseInvalidFramePayloadData, "bad frame")})
			return err
		}
	}
}

// readError says why a read failed.
func (c *Conn) readError(err error) error {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case c.ctx.Err() != nil:
		return c.reason()
	case errors.As(err, &ce) && (ce.Code == websocket.CloseNormalClosure || ce.Code == websocket.CloseGoingAway):
		return fmt.Errorf("%w by the page (%d)", ErrClosed, ce.Code)
	case errors.Is(err, websocket.ErrReadLimit):
		// gorilla has sent the close frame (1009)
		return fmt.Errorf("%w: %w: a frame from the page exceeds %d bytes", ErrClosed, ErrBadFrame, c.cfg.Limits.frameLimit())
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: nothing from the page for %v", ErrClosed, c.cfg.IdleTimeout)
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}

// handle acts on one message from the page.
func (c *Conn) handle(msg ClientMessage) error {
	switch m := msg.(type) {
	case ClientAudio:
		if m.Rate != c.cfg.InputRate {
			return fmt.Errorf("%w: audio at %d Hz (this server takes %d Hz)", ErrBadFrame, m.Rate, c.cfg.InputRate)
		}
		c.audioIn.Add(1)
		return c.push(fullduplex.AudioSymbol(m.PCM, m.Rate))
	case ClientVideo:
		if c.cfg.VideoFPS < 0 {
			return fmt.Errorf("%w: video frame, but video is off", ErrBadFrame)
		}
		c.videoIn.Add(1)
		return c.push(fullduplex.VideoSymbol(m.JPEG, "image/jpeg"))
	case ClientPlayed:
		c.notePlayed(m)
	case ClientInterrupt:
		if f := c.interrupt.Load(); f != nil {
			(*f)()
		}
	case ClientHello, ClientVideoState:
		// informative
	}
	return nil
}

// push hands s to Next, waiting while the input queue is full (the
// connection is not read meanwhile: TCP pushes back on the page).
func (c *Conn) push(s fullduplex.Symbol) error {
	select {
	case c.in <- s:
		return nil
	case <-c.ctx.Done():
		return nil // read's next ReadMessage fails and says why
	}
}

// writeLoop writes queued frames and pings until the connection ends.
func (c *Conn) writeLoop() {
	defer c.ws.Close() // unblocks the reader
	closed, err := c.write()
	c.end(err)
	if !closed {
		// best effort: after the page's own close frame this fails
		code, text := websocket.CloseGoingAway, "connection ended"
		if errors.Is(c.reason(), ErrHandlerClosed) {
			text = "server shutting down"
		}
		c.writeClose(websocket.FormatCloseMessage(code, text))
	}
}

// write reports whether it sent a close frame, and why it stopped.
func (c *Conn) write() (closed bool, err error) {
	ping := time.NewTicker(c.cfg.PingInterval)
	defer ping.Stop()
	for {
		if c.ctx.Err() != nil {
			return false, c.reason()
		}
		if it, ok := c.out.pop(); ok {
			if it.messageType == websocket.CloseMessage {
				c.writeClose(it.data)
				return true, it.reason
			}
			_ = c.ws.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout))
			if err := c.ws.WriteMessage(it.messageType, it.data); err != nil {
				return false, fmt.Errorf("%w: write to the page: %w", ErrClosed, err)
			}
			continue
		}
		select {
		case <-c.out.wake:
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.cfg.WriteTimeout)); err != nil {
				return false, fmt.Errorf("%w: ping the page: %w", ErrClosed, err)
			}
		case <-c.ctx.Done():
		}
	}
}

// reason says why the connection ended (once it has), wrapping ErrClosed.
func (c *Conn) reason() error {
	err := context.Cause(c.ctx)
	if err == nil || errors.Is(err, ErrClosed) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrClosed, err)
}

func (c *Conn) writeClose(frame []byte) {
	_ = c.ws.WriteControl(websocket.CloseMessage, frame, time.Now().Add(time.Second))
}

// Next returns the next symbol from the page: audio (fullduplex.AudioSymbol
// at Config.InputRate) or a video frame (image/jpeg). Once the connection
// has ended and everything received has been returned, it returns an error
// wrapping ErrClosed that says why.
func (c *Conn) Next(ctx context.Context) (fullduplex.Symbol, error) {
	select {
	case s := <-c.in:
		return c.observe(s), nil
	case <-c.readDone:
	case <-ctx.Done():
	}
	// What was received comes first, even when ctx (often Serve's, which
	// ends with the connection) is done too.
	select {
	case s := <-c.in:
		return c.observe(s), nil
	default:
	}
	select {
	case <-c.readDone:
		return fullduplex.Symbol{}, c.readErr
	default:
		return fullduplex.Symbol{}, ctx.Err()
	}
}

// observe notes when the user last spoke, for the turn latency.
func (c *Conn) observe(s fullduplex.Symbol) fullduplex.Symbol {
	if s.Modality != fullduplex.ModalityAudio {
		return s
	}
	if c.det == nil {
		d, err := vad.New(vad.Config{SampleRate: c.cfg.InputRate})
		if err != nil {
			return s
		}
		c.det = d
	}
	var err error
	if c.samples, err = decodePCM(c.samples[:0], s.Data); err != nil {
		return s
	}
	if _, err := c.det.Process(c.samples); err == nil && c.det.Last().Speech {
		c.lastSpeech.Store(s.Timestamp.UnixNano())
	}
	return s
}
