package twilio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/gorilla/websocket"
)

// TwilioRate is the sample rate of a Media Stream's μ-law audio.
const TwilioRate = 8000

// MetaChunk is the Metadata key of the caller's audio symbols holding
// Twilio's media.chunk number (int, counting from 1), so an application
// can check that no frame was lost or reordered.
const MetaChunk = "twilio_chunk"

// Config configures the calls a Handler serves. The zero value is ready to
// use.
type Config struct {
	// SampleRate is the rate of the caller's audio symbols Next returns.
	// Default 16000 (Gemini Live's input rate); 8000 returns Twilio's own.
	SampleRate int
	// InputQueue is how many 20 ms frames of the caller's audio are held
	// for Next; when it is full the call stops reading the WebSocket
	// (backpressure) until Next takes one, so nothing is dropped. Default
	// 500 (10 s).
	InputQueue int
	// WriteTimeout bounds each write to Twilio. Default 5 s.
	WriteTimeout time.Duration
	// OnDTMF, if set, is called with each key the caller presses, in
	// order, on the goroutine that reads the call; it must return quickly
	// (for example call DuplexSession.Interrupt or send to a channel).
	OnDTMF func(call *Call, digit string)
}

func (c Config) withDefaults() Config {
	if c.SampleRate == 0 {
		c.SampleRate = 16000
	}
	if c.InputQueue <= 0 {
		c.InputQueue = 500
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	return c
}

// A Call is one phone call's Media Stream: a Source of the caller's speech
// and a Sink, Flusher and PlaybackReporter of the model's. Next is called by
// one goroutine at a time and Write by one goroutine at a time; Flush,
// Played and the accessors are safe from any goroutine.
type Call struct {
	cfg   Config
	conn  *websocket.Conn
	start Start

	in   chan fullduplex.Symbol // the caller's audio, filled by read
	done chan struct{}          // closed when read has ended
	err  error                  // why read ended (io.EOF after stop); written before done closes

	// Used by read only.
	up    *pcm.Resampler
	ulaw  []int16
	chunk int

	wmu   sync.Mutex // serialises writes to Twilio; owns the fields below
	down  *pcm.Resampler
	buf   []int16
	ubuf  []byte
	marks int // marks sent

	pmu     sync.Mutex // owns pending, sent, played, top
	pending map[string]markAt
	sent    map[int]time.Duration // audio sent per turn
	played  map[int]time.Duration // audio played per turn, from mark echoes
	top     int                   // highest turn seen
}

// markAt is what a mark stands for: the audio of turn sent before it.
type markAt struct {
	turn int
	at   time.Duration
}

// keptTurns is how many recent turns Played remembers.
const keptTurns = 64

func newCall(conn *websocket.Conn, start Start, cfg Config) (*Call, error) {
	cfg = cfg.withDefaults()
	if f := start.MediaFormat; f.Encoding != "" && (f.Encoding != "audio/x-mulaw" || f.SampleRate != TwilioRate || f.Channels > 1) {
		return nil, fmt.Errorf("twilio: unsupported media format %s %d Hz x%d (want audio/x-mulaw 8000 Hz mono)", f.Encoding, f.SampleRate, f.Channels)
	}
	up, err := pcm.NewResampler(TwilioRate, cfg.SampleRate)
	if err != nil {
		return nil, fmt.Errorf("twilio: Config.SampleRate: %w", err)
	}
	return &Call{
		cfg: cfg, conn: conn, start: start,
		in:      make(chan fullduplex.Symbol, cfg.InputQueue),
		done:    make(chan struct{}),
		up:      up,
		pending: map[string]markAt{},
		sent:    map[int]time.Duration{},
		played:  map[int]time.Duration{},
	}, nil
}

// StreamSid is Twilio's id of this Media Stream.
func (c *Call) StreamSid() string { return c.start.StreamSid }

// CallSid is Twilio's id of the call.
func (c *Call) CallSid() string { return c.start.CallSid }

// Start returns the start message: account, call and stream ids, tracks,
// the <Parameter>s of the TwiML (CustomParameters) and the media format.
func (c *Call) Start() Start { return c.start }

// Done is closed when the stream has ended: Twilio sent stop, the
// connection dropped, or a frame was malformed.
func (c *Call) Done() <-chan struct{} { return c.done }

// Err returns why the stream ended once Done is closed: nil after stop, an
// error wrapping ErrDisconnected or ErrMalformed otherwise.
func (c *Call) Err() error {
	select {
	case <-c.done:
		if errors.Is(c.err, io.EOF) {
			return nil
		}
		return c.err
	default:
		return nil
	}
}

// Next returns the caller's next 20 ms of audio as a 16-bit PCM symbol at
// Config.SampleRate, stamped with the time its frame arrived. After the
// stream ends and every frame received before has been returned, it returns
// io.EOF (Twilio's stop) or the error that ended the stream.
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
			return fullduplex.Symbol{}, c.err
		}
	case <-ctx.Done():
		return fullduplex.Symbol{}, ctx.Err()
	}
}

// read reads the WebSocket until stop, an error or a malformed frame, and
// closes done. quit stops it waiting for room in the input queue.
func (c *Call) read(quit <-chan struct{}) {
	defer close(c.done)
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			c.err = fmt.Errorf("%w: %v", ErrDisconnected, err)
			return
		}
		m, err := DecodeMessage(data)
		if err != nil {
			c.err = err
			return
		}
		switch m.Event {
		case EventMedia:
			if !c.media(m.Media, quit) {
				c.err = fmt.Errorf("%w: the call was closed", ErrClosed)
				return
			}
		case EventDTMF:
			if c.cfg.OnDTMF != nil {
				c.cfg.OnDTMF(c, m.DTMF.Digit)
			}
		case EventMark:
			c.markPlayed(m.Mark.Name)
		case EventStop:
			c.err = io.EOF
			return
		}
	}
}

// media queues one frame of the caller's audio; false if quit came first.
func (c *Call) media(m *Media, quit <-chan struct{}) bool {
	arrived := time.Now()
	raw, _ := base64.StdEncoding.DecodeString(m.Payload) // checked by DecodeMessage
	if len(raw) == 0 {
		return true
	}
	c.chunk++
	chunk := c.chunk
	if n, err := strconv.Atoi(m.Chunk); err == nil {
		chunk = n
	}
	c.ulaw = pcm.AppendMuLawDecoded(c.ulaw[:0], raw)
	samples := c.up.Process(nil, c.ulaw)
	if len(samples) == 0 {
		return true
	}
	s := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, samples), c.cfg.SampleRate)
	s.Timestamp = arrived
	s.Metadata = map[string]any{fullduplex.MetaSampleRate: c.cfg.SampleRate, fullduplex.MetaChannels: 1, fullduplex.MetaRole: "user", MetaChunk: chunk}
	select {
	case c.in <- s:
		return true
	case <-quit:
		return false
	}
}

// Write sends the model's audio symbols to the caller, resampled to 8 kHz
// μ-law, each followed by a mark for the played position. It does not wait
// for playback (Twilio buffers the audio and plays it in real time). Other
// symbols and events are ignored.
func (c *Call) Write(ctx context.Context, item fullduplex.StreamItem) error {
	s, ok := item.(fullduplex.Symbol)
	if !ok || s.Modality != fullduplex.ModalityAudio || len(s.Data) == 0 {
		return nil
	}
	rate := s.SampleRate()
	if rate == 0 {
		return fmt.Errorf("twilio: audio symbol without a sample rate (%q)", s.MIMEType)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	turn, _ := s.Metadata[fullduplex.MetaTurn].(int)
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.down == nil || c.down.InRate() != rate {
		r, err := pcm.NewResampler(rate, TwilioRate)
		if err != nil {
			return fmt.Errorf("twilio: model audio: %w", err)
		}
		c.down = r
	}
	samples, err := pcm.DecodeInt16(c.buf[:0], s.Data)
	if err != nil {
		return fmt.Errorf("twilio: model audio: %w", err)
	}
	c.buf = samples
	out := c.down.Process(nil, samples)
	if len(out) == 0 {
		return nil
	}
	c.ubuf = pcm.AppendMuLaw(c.ubuf[:0], out)
	dur := time.Duration(len(out)) * time.Second / TwilioRate
	if err := c.send(Message{Event: EventMedia, StreamSid: c.start.StreamSid,
		Media: &Media{Payload: base64.StdEncoding.EncodeToString(c.ubuf)}}); err != nil {
		return err
	}
	c.marks++
	name := strconv.Itoa(c.marks)
	c.pmu.Lock()
	c.sent[turn] += dur
	c.pending[name] = markAt{turn: turn, at: c.sent[turn]}
	if turn > c.top {
		c.top = turn
		for t := range c.sent {
			if t <= turn-keptTurns {
				delete(c.sent, t)
				delete(c.played, t)
			}
		}
	}
	c.pmu.Unlock()
	return c.send(Message{Event: EventMark, StreamSid: c.start.StreamSid, Mark: &Mark{Name: name}})
}

// Flush drops the audio Twilio holds for the caller (a clear message);
// the marks Twilio echoes for it do not count as played.
func (c *Call) Flush() {
	c.pmu.Lock()
	clear(c.pending)
	c.pmu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.down != nil {
		c.down.Reset()
	}
	_ = c.send(Message{Event: EventClear, StreamSid: c.start.StreamSid})
}

// Played reports how much of turn's audio Twilio has played to the caller,
// up to its latest echoed mark (see fullduplex.PlaybackReporter).
func (c *Call) Played(turn int) time.Duration {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	return c.played[turn]
}

func (c *Call) markPlayed(name string) {
	c.pmu.Lock()
	defer c.pmu.Unlock()
	m, ok := c.pending[name]
	if !ok {
		return // not ours, or dropped by a clear
	}
	delete(c.pending, name)
	if m.at > c.played[m.turn] {
		c.played[m.turn] = m.at
	}
}

// send writes one message; the caller holds wmu.
func (c *Call) send(m Message) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout)); err != nil {
		return fmt.Errorf("%w: %v", ErrClosed, err)
	}
	if err := c.conn.WriteJSON(m); err != nil {
		return fmt.Errorf("twilio: write %s: %w", m.Event, err)
	}
	return nil
}
