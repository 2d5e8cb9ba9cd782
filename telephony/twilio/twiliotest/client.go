package twiliotest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/gorilla/websocket"
)

// FrameSamples is the number of 8 kHz samples in one 20 ms media frame.
const FrameSamples = 160

// FrameDuration is the audio in one media frame.
const FrameDuration = 20 * time.Millisecond

// Options configures a Client. The zero value makes a call with test ids
// whose marks are played at once.
type Options struct {
	// CallSid, StreamSid and AccountSid are the ids in start and stop.
	// Defaults: "CA…01", "MZ…01", "AC…01".
	CallSid, StreamSid, AccountSid string
	// CustomParameters are sent in start, as a <Stream>'s <Parameter>s.
	CustomParameters map[string]string
	// Header is sent with the WebSocket handshake.
	Header http.Header
	// AuthToken, if set, signs the handshake with X-Twilio-Signature as
	// Twilio does, over SignedURL.
	AuthToken string
	// SignedURL is the URL the signature covers. Default: the URL dialed.
	SignedURL string
	// ManualPlayback, if set, plays the model's audio only when Play is
	// called, and echoes each mark when Play reaches it, as Twilio does in
	// real time. By default every mark is echoed as soon as it arrives, as
	// if its audio had played at once.
	ManualPlayback bool
	// DiscardAudio, if set, keeps only the count and arrival time of the
	// model's media messages, not their audio (Audio returns nothing):
	// for load tests with many calls.
	DiscardAudio bool
}

// A Client is one fake call: Twilio's side of a bidirectional Media Stream.
// Its methods are safe for concurrent use; sends are serialised in call
// order.
type Client struct {
	conn *websocket.Conn
	opts Options
	wg   sync.WaitGroup

	wmu   sync.Mutex // serialises writes; owns seq and chunk
	seq   int
	chunk int

	mu      sync.Mutex    // owns the fields below
	changed chan struct{} // closed and replaced on every change
	audio   []int16       // the media received, decoded
	samples int           // samples of media received
	arrived []time.Time   // arrival time of each media message received
	frames  []int         // samples in each media message received
	clears  int
	marks   []string // mark names received
	echoed  []string // mark names echoed back
	queue   []queued // ManualPlayback: received, not yet played
	played  int      // ManualPlayback: samples played
	err     error    // why the read loop ended
	ended   bool
}

// queued is audio or a mark waiting for ManualPlayback.
type queued struct {
	samples int    // audio, or 0 for a mark
	mark    string // a mark's name
}

// Dial connects to url (ws://...) and sends connected and start, as Twilio
// does when a call reaches <Connect><Stream>.
func Dial(ctx context.Context, url string, opts Options) (*Client, error) {
	if opts.CallSid == "" {
		opts.CallSid = "CA00000000000000000000000000000001"
	}
	if opts.StreamSid == "" {
		opts.StreamSid = "MZ00000000000000000000000000000001"
	}
	if opts.AccountSid == "" {
		opts.AccountSid = "AC00000000000000000000000000000001"
	}
	header := opts.Header.Clone()
	if opts.AuthToken != "" {
		if header == nil {
			header = http.Header{}
		}
		signed := opts.SignedURL
		if signed == "" {
			signed = url
		}
		header.Set(twilio.SignatureHeader, twilio.Signature(opts.AuthToken, signed, nil))
	}
	conn, resp, err := websocket.DefaultDialer.DialContext(ctx, url, header)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("twiliotest: dial: %w (HTTP %d)", err, resp.StatusCode)
		}
		return nil, fmt.Errorf("twiliotest: dial: %w", err)
	}
	c := &Client{conn: conn, opts: opts, changed: make(chan struct{})}
	if err := c.send(twilio.Message{Event: twilio.EventConnected, Protocol: "Call", Version: "1.0.0"}); err != nil {
		conn.Close()
		return nil, err
	}
	params := opts.CustomParameters
	if params == nil {
		params = map[string]string{}
	}
	if err := c.send(twilio.Message{Event: twilio.EventStart, StreamSid: opts.StreamSid, Start: &twilio.Start{
		AccountSid: opts.AccountSid, StreamSid: opts.StreamSid, CallSid: opts.CallSid,
		Tracks: []string{"inbound"}, CustomParameters: params,
		MediaFormat: twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: twilio.Rate, Channels: 1},
	}}); err != nil {
		conn.Close()
		return nil, err
	}
	c.wg.Add(1)
	go c.read()
	return c, nil
}

// send writes m with the next sequenceNumber (connected has none).
func (c *Client) send(m twilio.Message) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sendLocked(m)
}

func (c *Client) sendLocked(m twilio.Message) error {
	if m.Event != twilio.EventConnected {
		c.seq++
		m.SequenceNumber = strconv.Itoa(c.seq)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return c.sendRawLocked(data)
}

// SendRaw sends data as one text frame as it is, for malformed frames.
func (c *Client) SendRaw(data []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sendRawLocked(data)
}

func (c *Client) sendRawLocked(data []byte) error {
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return fmt.Errorf("twiliotest: write: %w", err)
	}
	return nil
}

// SendAudio sends 8 kHz samples as μ-law media frames of 20 ms (the last
// may be shorter) at once, without pacing.
func (c *Client) SendAudio(samples []int16) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	var buf []byte
	for len(samples) > 0 {
		n := min(FrameSamples, len(samples))
		buf = pcm.AppendMuLaw(buf[:0], samples[:n])
		if err := c.sendFrameLocked(buf); err != nil {
			return err
		}
		samples = samples[n:]
	}
	return nil
}

// StreamAudio sends 8 kHz samples as 20 ms media frames paced in real
// time, one every 20 ms, as Twilio does during a call; it returns when the
// last is sent or ctx is done.
func (c *Client) StreamAudio(ctx context.Context, samples []int16) error {
	tick := time.NewTicker(FrameDuration)
	defer tick.Stop()
	var buf []byte
	for len(samples) > 0 {
		n := min(FrameSamples, len(samples))
		buf = pcm.AppendMuLaw(buf[:0], samples[:n])
		if err := c.SendFrame(buf); err != nil {
			return err
		}
		samples = samples[n:]
		if len(samples) == 0 {
			break
		}
		select {
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// SendFrame sends one media frame of μ-law bytes (Twilio's are 160 bytes),
// numbered with the next chunk and timestamp.
func (c *Client) SendFrame(ulaw []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	return c.sendFrameLocked(ulaw)
}

func (c *Client) sendFrameLocked(ulaw []byte) error {
	ts := c.chunk * 20
	c.chunk++
	return c.sendLocked(twilio.Message{Event: twilio.EventMedia, StreamSid: c.opts.StreamSid, Media: &twilio.Media{
		Track: "inbound", Chunk: strconv.Itoa(c.chunk), Timestamp: strconv.Itoa(ts),
		Payload: base64.StdEncoding.EncodeToString(ulaw),
	}})
}

// SendDTMF sends a key press.
func (c *Client) SendDTMF(digit string) error {
	return c.send(twilio.Message{Event: twilio.EventDTMF, StreamSid: c.opts.StreamSid,
		DTMF: &twilio.DTMFKey{Track: "inbound_track", Digit: digit}})
}

// Hangup sends stop, as Twilio does when the caller hangs up, and closes
// the connection.
func (c *Client) Hangup() error {
	err := c.send(twilio.Message{Event: twilio.EventStop, StreamSid: c.opts.StreamSid,
		Stop: &twilio.Stop{AccountSid: c.opts.AccountSid, CallSid: c.opts.CallSid}})
	c.Close()
	return err
}

// Close closes the connection without stop (an abrupt disconnect) and
// waits for the read loop; idempotent.
func (c *Client) Close() {
	_ = c.conn.Close()
	c.wg.Wait()
}

func (c *Client) read() {
	defer c.wg.Done()
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			c.update(func() { c.err, c.ended = err, true })
			return
		}
		if err := c.handle(data); err != nil {
			c.update(func() { c.err, c.ended = err, true })
			_ = c.conn.Close()
			return
		}
	}
}

// handle acts on one message from the server, as Twilio would; an error
// means the server broke the protocol.
func (c *Client) handle(data []byte) error {
	var m twilio.Message
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("twiliotest: server sent %.100q: %w", data, err)
	}
	if m.StreamSid != c.opts.StreamSid {
		return fmt.Errorf("twiliotest: server sent %s for stream %q, want %q", m.Event, m.StreamSid, c.opts.StreamSid)
	}
	now := time.Now()
	switch m.Event {
	case twilio.EventMedia:
		if m.Media == nil {
			return errors.New("twiliotest: server sent media without media")
		}
		raw, err := base64.StdEncoding.DecodeString(m.Media.Payload)
		if err != nil {
			return fmt.Errorf("twiliotest: media payload: %w", err)
		}
		c.update(func() {
			if !c.opts.DiscardAudio {
				c.audio = pcm.AppendMuLawDecoded(c.audio, raw)
			}
			c.samples += len(raw)
			c.arrived = append(c.arrived, now)
			c.frames = append(c.frames, len(raw))
			if c.opts.ManualPlayback {
				c.queue = append(c.queue, queued{samples: len(raw)})
			}
		})
	case twilio.EventMark:
		if m.Mark == nil || m.Mark.Name == "" {
			return errors.New("twiliotest: server sent a mark without a name")
		}
		var echo bool
		c.update(func() {
			c.marks = append(c.marks, m.Mark.Name)
			if c.opts.ManualPlayback && len(c.queue) > 0 {
				c.queue = append(c.queue, queued{mark: m.Mark.Name})
			} else {
				echo = true
			}
		})
		if echo {
			return c.echo(m.Mark.Name)
		}
	case twilio.EventClear:
		var marks []string
		c.update(func() {
			c.clears++
			for _, q := range c.queue {
				if q.samples == 0 {
					marks = append(marks, q.mark)
				}
			}
			c.queue = nil
		})
		// Twilio echoes the marks of the audio a clear dropped.
		for _, name := range marks {
			if err := c.echo(name); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("twiliotest: server sent %q, which Twilio does not accept", m.Event)
	}
	return nil
}

// echo sends a mark back, as Twilio does once the audio before it played.
func (c *Client) echo(name string) error {
	err := c.send(twilio.Message{Event: twilio.EventMark, StreamSid: c.opts.StreamSid, Mark: &twilio.Mark{Name: name}})
	if err == nil {
		c.update(func() { c.echoed = append(c.echoed, name) })
	}
	return err
}

// Play plays up to d of the model's audio received so far and echoes the
// marks it reaches (ManualPlayback); it returns how much it played.
func (c *Client) Play(d time.Duration) (time.Duration, error) {
	left := int(d * twilio.Rate / time.Second)
	var marks []string
	c.update(func() {
		for len(c.queue) > 0 {
			q := &c.queue[0]
			if q.samples == 0 {
				marks = append(marks, q.mark)
			} else {
				if left == 0 {
					break
				}
				n := min(left, q.samples)
				left -= n
				c.played += n
				if q.samples -= n; q.samples > 0 {
					break
				}
			}
			c.queue = c.queue[1:]
		}
	})
	for _, name := range marks {
		if err := c.echo(name); err != nil {
			return 0, err
		}
	}
	played := int(d*twilio.Rate/time.Second) - left
	return time.Duration(played) * time.Second / twilio.Rate, nil
}

func (c *Client) update(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	close(c.changed)
	c.changed = make(chan struct{})
}

// Audio returns a copy of the model's audio received so far, decoded to
// 16-bit samples at 8 kHz.
func (c *Client) Audio() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.audio...)
}

// Arrivals returns the arrival time and sample count of every media
// message received so far.
func (c *Client) Arrivals() ([]time.Time, []int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Time(nil), c.arrived...), append([]int(nil), c.frames...)
}

// Clears returns how many clear messages arrived.
func (c *Client) Clears() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.clears
}

// Marks returns the names of the marks received so far.
func (c *Client) Marks() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.marks...)
}

// Echoed returns the names of the marks echoed back so far.
func (c *Client) Echoed() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.echoed...)
}

// ErrEnded is returned by Wait when the connection ended first.
var ErrEnded = errors.New("twiliotest: connection ended")

// Err returns why the connection ended, nil while it is open: the server's
// close, or a message Twilio would refuse.
func (c *Client) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// Wait blocks until cond holds for what has been received, ctx is done
// (ctx's error) or the connection ends first (an error wrapping ErrEnded).
func (c *Client) Wait(ctx context.Context, cond func(s Snapshot) bool) error {
	for {
		c.mu.Lock()
		s := Snapshot{Samples: c.samples, Media: len(c.frames), Clears: c.clears, Marks: len(c.marks), Echoed: len(c.echoed)}
		ch, ended, err := c.changed, c.ended, c.err
		c.mu.Unlock()
		if cond(s) {
			return nil
		}
		if ended {
			return fmt.Errorf("%w: %v", ErrEnded, err)
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitEnded blocks until the server closed the connection or ctx is done,
// and returns why it ended.
func (c *Client) WaitEnded(ctx context.Context) error {
	err := c.Wait(ctx, func(Snapshot) bool { return false })
	if errors.Is(err, ErrEnded) {
		return nil
	}
	return err
}

// A Snapshot counts what a Client has received so far, for Wait.
type Snapshot struct {
	Samples int // 8 kHz samples of model audio
	Media   int // media messages
	Clears  int // clear messages
	Marks   int // marks received
	Echoed  int // marks echoed back
}
