package twilio

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/gorilla/websocket"
)

// Write sends the model's audio to the caller: each audio symbol (16-bit
// PCM of any rate and channel count) is resampled to 8 kHz, μ-law encoded
// and queued as one media message followed by a mark, which Twilio echoes
// once that audio has played (see Played). At EventStreamEnd the
// resampler's tail of the turn is sent too. Other items are ignored.
//
// Write does not wait for playback: Twilio buffers the audio and plays it
// in real time. It waits only when Config.OutputQueue messages are still
// unwritten (until ctx is done). After the call has ended it returns an
// error wrapping ErrClosed; a malformed symbol gets an error wrapping
// fullduplex.ErrInvalidSymbol.
func (c *Call) Write(ctx context.Context, item fullduplex.StreamItem) error {
	if err := c.closedErr(); err != nil {
		return err
	}
	switch it := item.(type) {
	case fullduplex.Symbol:
		if it.Modality != fullduplex.ModalityAudio {
			return nil
		}
		turn, ok := it.Turn()
		if !ok {
			turn = c.boundaries
		}
		c.turn = turn
	case fullduplex.StreamEvent:
		if it.Type == fullduplex.EventStreamEnd || it.Type == fullduplex.EventInterrupt {
			defer func() { c.boundaries++ }()
		}
	}
	return c.conv.Write(ctx, item)
}

// closedErr returns the error of a Write after the call has ended, nil
// before.
func (c *Call) closedErr() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closedErrLocked()
}

func (c *Call) closedErrLocked() error {
	switch {
	case c.cause == nil && !c.closing:
		return nil
	case c.cause == nil, errors.Is(c.cause, ErrClosed):
		return ErrClosed
	case errors.Is(c.cause, io.EOF):
		return fmt.Errorf("%w: the caller hung up", ErrClosed)
	default:
		return fmt.Errorf("%w: %w", ErrClosed, c.cause)
	}
}

// output is the Call as the playback.Output of its Writer: it queues the
// converted samples for the writer goroutine.
type output struct{ c *Call }

func (o output) Generation() uint64 {
	o.c.mu.Lock()
	defer o.c.mu.Unlock()
	return o.c.gen
}

// Push queues samples (8 kHz) as a media message and a mark, waiting for
// room in the outbox.
func (o output) Push(ctx context.Context, gen uint64, samples []int16) error {
	c := o.c
	if len(samples) == 0 {
		return nil
	}
	media := c.mediaMessage(samples)
	dur := time.Duration(len(samples)) * time.Second / Rate
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(c.outbox)+2 > c.cfg.OutputQueue {
		if err := c.closedErrLocked(); err != nil {
			return err
		}
		if gen != c.gen {
			return nil
		}
		ch := c.changed
		c.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			c.mu.Lock()
			return ctx.Err()
		}
		c.mu.Lock()
	}
	if err := c.closedErrLocked(); err != nil {
		return err
	}
	if gen != c.gen {
		return nil // flushed while converting: drop
	}
	c.marks++
	name := "fd" + strconv.Itoa(c.marks)
	c.sent[c.turn] += dur
	c.pending[name] = markAt{turn: c.turn, at: c.sent[c.turn]}
	if c.turn > c.top {
		c.top = c.turn
		for t := range c.sent {
			if t <= c.top-keptTurns {
				delete(c.sent, t)
				delete(c.played, t)
			}
		}
	}
	c.outbox = append(c.outbox, media, c.markMessage(name))
	c.changedLocked()
	return nil
}

// mediaMessage encodes one media message of samples; called by Write's
// goroutine.
func (c *Call) mediaMessage(samples []int16) []byte {
	ulaw := pcm.AppendMuLaw(make([]byte, 0, len(samples)), samples)
	b := make([]byte, 0, 64+len(c.sid)+base64.StdEncoding.EncodedLen(len(ulaw)))
	b = append(b, `{"event":"media","streamSid":`...)
	b = append(b, c.sid...)
	b = append(b, `,"media":{"payload":"`...)
	b = base64.StdEncoding.AppendEncode(b, ulaw)
	return append(b, `"}}`...)
}

func (c *Call) markMessage(name string) []byte {
	b := make([]byte, 0, 64+len(c.sid)+len(name))
	b = append(b, `{"event":"mark","streamSid":`...)
	b = append(b, c.sid...)
	b = append(b, `,"mark":{"name":"`...)
	b = append(b, name...) // digits and letters only
	return append(b, `"}}`...)
}

func (c *Call) clearMessage() []byte {
	b := append([]byte(`{"event":"clear","streamSid":`), c.sid...)
	return append(b, '}')
}

// Flush drops the model's audio at once: what is still queued here, and,
// with a clear message, what Twilio has buffered for the caller. It never
// waits on the network. Marks of the dropped audio (Twilio echoes them
// when a clear drops their audio) do not count as played.
func (c *Call) Flush() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.outbox)
	c.outbox = c.outbox[:0]
	clear(c.pending)
	c.clearing = true
	c.changedLocked()
}

// Played reports how much of turn's audio the caller has heard: the audio
// up to the latest mark of the turn that Twilio echoed as played (see
// fullduplex.PlaybackReporter). It moves in steps of one Write's audio and
// counts nothing that a Flush dropped. The latest 64 turns are kept.
func (c *Call) Played(turn int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.played[turn]
}

// markPlayed records a mark Twilio echoed; called by read.
func (c *Call) markPlayed(name string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m, ok := c.pending[name]
	if !ok {
		return // not ours, or dropped by a clear
	}
	delete(c.pending, name)
	if m.at > c.played[m.turn] {
		c.played[m.turn] = m.at
	}
}

// writeLoop writes the outbox to Twilio, a pending clear first, until the
// call ends or, after finishWrites, the outbox is empty. A failed write ends
// the call and closes the connection, which ends read.
func (c *Call) writeLoop() {
	for {
		c.mu.Lock()
		var msg []byte
		switch {
		case c.cause != nil:
			c.mu.Unlock()
			return
		case c.clearing:
			c.clearing = false
			msg = c.clearMessage()
		case len(c.outbox) > 0:
			msg = c.outbox[0]
			c.outbox[0] = nil
			c.outbox = c.outbox[1:]
			c.changedLocked() // room for Push
		case c.closing:
			c.mu.Unlock()
			return
		default:
			ch := c.changed
			c.mu.Unlock()
			<-ch
			continue
		}
		c.mu.Unlock()
		if err := c.write(msg); err != nil {
			if c.end(err) {
				_ = c.conn.Close()
			}
			return
		}
	}
}

// write writes one message within Config.WriteTimeout.
func (c *Call) write(msg []byte) error {
	if err := c.conn.SetWriteDeadline(time.Now().Add(c.cfg.WriteTimeout)); err != nil {
		return fmt.Errorf("%w: %v", ErrDisconnected, err)
	}
	err := c.conn.WriteMessage(websocket.TextMessage, msg)
	var ne net.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: a write took longer than %v", ErrStalled, c.cfg.WriteTimeout)
	default:
		return fmt.Errorf("%w: write: %v", ErrDisconnected, err)
	}
}

// finishWrites tells writeLoop to end once the outbox is written.
func (c *Call) finishWrites() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closing = true
	c.changedLocked()
}

// closeTimeout bounds the WebSocket closing handshake.
const closeTimeout = time.Second

// finish ends the call after writeLoop has returned: it starts the
// WebSocket closing handshake, so read drains the connection until the
// peer closes it (at most closeTimeout). The caller closes the connection
// once read has returned.
func (c *Call) finish() {
	c.end(fmt.Errorf("%w: Serve returned", ErrClosed))
	c.mu.Lock()
	cause := c.cause
	c.mu.Unlock()
	code := websocket.CloseNormalClosure
	switch {
	case errors.Is(cause, ErrDisconnected), errors.Is(cause, ErrStalled):
		code = 0 // the connection is gone or stuck: no handshake
	case errors.Is(cause, ErrMalformed):
		code = websocket.CloseUnsupportedData
	}
	deadline := time.Now().Add(closeTimeout)
	if code != 0 {
		_ = c.conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, ""), deadline)
	}
	_ = c.conn.SetReadDeadline(deadline)
}
