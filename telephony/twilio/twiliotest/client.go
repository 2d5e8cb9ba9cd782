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

// Options configures a Client. The zero value uses made-up ids.
type Options struct {
	CallSid, StreamSid, AccountSid string            // defaults CA..., MZ..., AC... test ids
	CustomParameters               map[string]string // sent in start
	Header                         http.Header       // sent with the WebSocket handshake
}

// A Client is one fake call. Its methods are safe for concurrent use, but
// sends are serialised; the received audio and counts are read with the
// accessors and the Wait methods.
type Client struct {
	conn *websocket.Conn
	opts Options
	wg   sync.WaitGroup

	wmu   sync.Mutex // serialises writes; owns seq and chunk
	seq   int
	chunk int
	start time.Time

	mu      sync.Mutex // owns the fields below
	changed chan struct{}
	audio   []int16     // the media received, decoded
	arrived []time.Time // arrival time of each media frame received
	frames  []int       // samples in each media frame received
	clears  int
	marks   []string
	err     error // why the read loop ended
	ended   bool
}

// Dial connects to url (ws://...) and sends connected and start.
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
	conn, _, err := websocket.DefaultDialer.DialContext(ctx, url, opts.Header)
	if err != nil {
		return nil, fmt.Errorf("twiliotest: dial: %w", err)
	}
	c := &Client{conn: conn, opts: opts, changed: make(chan struct{}), start: time.Now()}
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
		MediaFormat: twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: 8000, Channels: 1},
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
	return c.SendRaw(data)
}

// SendRaw sends data as one text frame, as it is: for malformed frames.
func (c *Client) SendRaw(data []byte) error {
	if err := c.conn.WriteMessage(websocket.TextMessage, data); err != nil {
		return fmt.Errorf("twiliotest: write: %w", err)
	}
	return nil
}

// SendAudio sends 8 kHz samples as μ-law media frames of 20 ms (the last
// may be shorter), numbered by chunk, without pacing.
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

// SendFrame sends one media frame of μ-law bytes; Twilio's are 160 bytes.
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

// Drop closes the connection without stop: an abrupt disconnect.
func (c *Client) Drop() { c.Close() }

// Close closes the connection and waits for the read loop; idempotent.
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
		var m twilio.Message
		if err := json.Unmarshal(data, &m); err != nil {
			c.update(func() { c.err, c.ended = fmt.Errorf("twiliotest: server sent %q: %w", data, err), true })
			return
		}
		now := time.Now()
		switch m.Event {
		case twilio.EventMedia:
			if m.Media == nil {
				continue
			}
			raw, err := base64.StdEncoding.DecodeString(m.Media.Payload)
			if err != nil {
				c.update(func() { c.err, c.ended = fmt.Errorf("twiliotest: media payload: %w", err), true })
				return
			}
			c.update(func() {
				c.audio = pcm.AppendMuLawDecoded(c.audio, raw)
				c.arrived = append(c.arrived, now)
				c.frames = append(c.frames, len(raw))
			})
		case twilio.EventMark:
			if m.Mark == nil {
				continue
			}
			// Played at once: echo it back, after the audio before it.
			_ = c.send(twilio.Message{Event: twilio.EventMark, StreamSid: c.opts.StreamSid, Mark: &twilio.Mark{Name: m.Mark.Name}})
			c.update(func() { c.marks = append(c.marks, m.Mark.Name) })
		case twilio.EventClear:
			c.update(func() { c.clears++ })
		}
	}
}

func (c *Client) update(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f()
	close(c.changed)
	c.changed = make(chan struct{})
}

// Audio returns a copy of the 8 kHz audio received so far.
func (c *Client) Audio() []int16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]int16(nil), c.audio...)
}

// Arrivals returns the arrival time and sample count of every media frame
// received so far.
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

// Marks returns the names of the marks received (and echoed) so far.
func (c *Client) Marks() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]string(nil), c.marks...)
}

// ErrEnded is returned by Wait when the connection ended first.
var ErrEnded = errors.New("twiliotest: connection ended")

// Wait blocks until cond holds for what has been received, ctx is done
// (ctx's error) or the connection ends first (ErrEnded).
func (c *Client) Wait(ctx context.Context, cond func(s Snapshot) bool) error {
	for {
		c.mu.Lock()
		s := Snapshot{Samples: len(c.audio), Clears: c.clears, Marks: len(c.marks)}
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

// A Snapshot is what a Client has received so far, for Wait.
type Snapshot struct {
	Samples int // 8 kHz samples of media
	Clears  int
	Marks   int
}
