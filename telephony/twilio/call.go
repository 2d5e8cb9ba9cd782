package twilio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/playback"
	"github.com/gorilla/websocket"
)

// Rate is the sample rate of a Media Stream's μ-law audio.
const Rate = 8000

// MetaChunk is the Metadata key of the caller's audio symbols holding
// Twilio's media.chunk number (int, counting from 1), so an application
// can check that no frame was lost or reordered.
const MetaChunk = "twilio_chunk"

// A Call is one phone call's Media Stream: a fullduplex.Source of the
// caller's speech and a fullduplex.Sink, Flusher and PlaybackReporter of
// the model's, so DuplexSession.RunDuplex(ctx, call, call) bridges it to any
// backend. Next is called by one goroutine at a time and Write by one
// goroutine at a time; Flush, Played, Done, Err and the accessors are safe
// from any goroutine.
type Call struct {
	cfg   Config
	conn  *websocket.Conn
	start Start
	sid   []byte // StreamSid as a JSON string, for outbound messages

	in        chan fullduplex.Symbol // the caller's audio, filled by read
	done      chan struct{}          // closed by end, with cause set
	drained   chan struct{}          // closed when Next has returned the end
	drainOnce sync.Once

	// Owned by read.
	up    *pcm.Resampler
	ulaw  []int16
	res   []int16
	chunk int

	// Owned by the goroutine calling Write.
	conv       *playback.Writer
	turn       int // turn of the audio conv is converting
	boundaries int // model turns ended, for audio without MetaTurn

	mu       sync.Mutex    // owns the fields below
	changed  chan struct{} // closed and replaced when any field below changes
	outbox   [][]byte      // encoded messages not yet written to Twilio
	clearing bool          // a clear is to be written before the outbox
	gen      uint64        // flushes so far: the playback.Output generation
	closing  bool          // finish was called: the writer drains the outbox and ends
	cause    error         // why the call ended (io.EOF after stop); the first one wins
	marks    int           // marks sent
	pending  map[string]markAt
	sent     map[int]time.Duration // audio queued per turn
	played   map[int]time.Duration // audio played per turn, from mark echoes
	top      int                   // highest turn seen
}

// markAt is what a mark stands for: the audio of turn queued before it.
type markAt struct {
	turn int
	at   time.Duration
}

// keptTurns is how many recent turns Played remembers.
const keptTurns = 64

func newCall(conn *websocket.Conn, start Start, cfg Config) (*Call, error) {
	cfg = cfg.withDefaults()
	if f := start.MediaFormat; f.Encoding != "" && (f.Encoding != "audio/x-mulaw" || f.SampleRate != Rate || f.Channels > 1) {
		return nil, fmt.Errorf("%w: unsupported media format %s %d Hz x%d (want audio/x-mulaw 8000 Hz mono)", ErrMalformed, f.Encoding, f.SampleRate, f.Channels)
	}
	up, err := pcm.NewResampler(Rate, cfg.SampleRate)
	if err != nil {
		return nil, fmt.Errorf("twilio: Config.SampleRate: %w", err)
	}
	sid, err := json.Marshal(start.StreamSid)
	if err != nil {
		return nil, fmt.Errorf("%w: streamSid: %v", ErrMalformed, err)
	}
	c := &Call{
		cfg: cfg, conn: conn, start: start, sid: sid,
		in:      make(chan fullduplex.Symbol, cfg.InputQueue),
		done:    make(chan struct{}),
		drained: make(chan struct{}),
		up:      up,
		changed: make(chan struct{}),
		pending: map[string]markAt{},
		sent:    map[int]time.Duration{},
		played:  map[int]time.Duration{},
	}
	c.conv = playback.NewWriter(output{c}, Rate, "twilio: model audio")
	return c, nil
}

// StreamSid is Twilio's id of this Media Stream.
func (c *Call) StreamSid() string { return c.start.StreamSid }

// CallSid is Twilio's id of the call.
func (c *Call) CallSid() string { return c.start.CallSid }

// From is the caller's number: the "From" custom parameter, which
// TwiMLHandler copies from Twilio's voice webhook (Media Streams do not
// carry it themselves). Empty when the TwiML did not pass it.
func (c *Call) From() string { return c.start.CustomParameters[ParamFrom] }

// To is the number called: the "To" custom parameter, which TwiMLHandler
// copies from Twilio's voice webhook. Empty when the TwiML did not pass it.
func (c *Call) To() string { return c.start.CustomParameters[ParamTo] }

// Start returns the start message: account, call and stream ids, tracks,
// the <Parameter>s of the TwiML (CustomParameters) and the media format.
// Treat its map as read-only.
func (c *Call) Start() Start { return c.start }

// Done is closed when the stream has ended: Twilio sent stop, the
// connection dropped, a frame was malformed, a write stalled, or Serve
// returned. Next still returns the frames received before.
func (c *Call) Done() <-chan struct{} { return c.done }

// Err returns why the stream ended once Done is closed: nil after Twilio's
// stop, otherwise an error wrapping ErrDisconnected, ErrMalformed,
// ErrStalled or ErrClosed. It is nil while the call goes on.
func (c *Call) Err() error {
	select {
	case <-c.done:
	default:
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if errors.Is(c.cause, io.EOF) {
		return nil
	}
	return c.cause
}

// end records why the call ended and closes done; the first cause wins.
// It reports whether cause was the first.
func (c *Call) end(cause error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cause != nil {
		return false
	}
	c.cause = cause
	close(c.done)
	c.changedLocked()
	return true
}

// changedLocked wakes everyone waiting on c.changed; the caller holds mu.
func (c *Call) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// Next returns the caller's next 20 ms of audio as a 16-bit PCM symbol at
// Config.SampleRate, with role "user" and MetaChunk. After the stream ends
// and every frame received before has been returned, it returns io.EOF
// (Twilio's stop) or the error that ended the stream (see Err); the
// Handler then cancels Serve's ctx.
func (c *Call) Next(ctx context.Context) (fullduplex.Symbol, error) {
	select {
	case s := <-c.in:
		return s, nil
	default:
	}
	select {
	case s := <-c.in:
		return s, nil
	case <-c.done:
		select {
		case s := <-c.in:
			return s, nil
		default:
		}
		c.drainOnce.Do(func() { close(c.drained) })
		c.mu.Lock()
		defer c.mu.Unlock()
		return fullduplex.Symbol{}, c.cause
	case <-ctx.Done():
		return fullduplex.Symbol{}, ctx.Err()
	}
}

// read reads the WebSocket until the connection ends. Stop, a malformed
// frame or a read error end the call; once it has ended, read only drains
// the connection (so closing it loses nothing the peer has not read yet)
// until the peer closes it or finish's deadline passes.
func (c *Call) read() {
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			c.end(readError(err))
			return
		}
		select {
		case <-c.done:
			continue // ended: drain
		default:
		}
		m, err := DecodeMessage(data)
		if err != nil {
			c.end(err)
			continue
		}
		switch m.Event {
		case EventMedia:
			if t := m.Media.Track; t == "" || t == "inbound" {
				c.media(m.Media) // the caller; a <Start><Stream> may add other tracks
			}
		case EventDTMF:
			if c.cfg.OnDTMF != nil {
				c.cfg.OnDTMF(c, m.DTMF.Digit)
			}
		case EventMark:
			c.markPlayed(m.Mark.Name)
		case EventStop:
			c.end(io.EOF)
		}
	}
}

// readError says why reading the WebSocket failed.
func readError(err error) error {
	if errors.Is(err, websocket.ErrReadLimit) {
		return fmt.Errorf("%w: a frame larger than %d bytes", ErrMalformed, MaxMessage)
	}
	return fmt.Errorf("%w: %v", ErrDisconnected, err)
}

// media queues one frame of the caller's audio, waiting for room until the
// call ends.
func (c *Call) media(m *Media) {
	if len(m.Audio) == 0 {
		return
	}
	c.chunk++
	chunk := c.chunk
	if n, err := strconv.Atoi(m.Chunk); err == nil {
		chunk = n
	}
	c.ulaw = pcm.AppendMuLawDecoded(c.ulaw[:0], m.Audio)
	c.res = c.up.Process(c.res[:0], c.ulaw)
	if len(c.res) == 0 {
		return
	}
	s := fullduplex.AudioSymbol(pcm.EncodeInt16(make([]byte, 0, 2*len(c.res)), c.res), c.cfg.SampleRate)
	s.Metadata = map[string]any{
		fullduplex.MetaSampleRate: c.cfg.SampleRate,
		fullduplex.MetaChannels:   1,
		fullduplex.MetaRole:       fullduplex.RoleUser,
		MetaChunk:                 chunk,
	}
	select {
	case c.in <- s:
	case <-c.done:
	}
}
