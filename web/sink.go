package web

import (
	"context"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// keepTurns is how many turns of playback state a Conn remembers.
const keepTurns = 16

// Write sends item to the page: model audio as binary frames (played by
// the page's jitter buffer), text of either side as transcript lines, turn
// ends (with the turn's latency) and interruptions as markers, errors as
// messages. Other items are ignored. Write waits while
// Config.OutputQueueBytes are queued, never for playback; it returns an
// error wrapping ErrClosed once the connection has ended.
func (c *Conn) Write(ctx context.Context, item fullduplex.StreamItem) error {
	if c.ctx.Err() != nil {
		return c.reason()
	}
	switch it := item.(type) {
	case fullduplex.Symbol:
		return c.writeSymbol(ctx, it)
	case fullduplex.StreamEvent:
		return c.writeEvent(ctx, it)
	}
	return nil
}

func (c *Conn) writeSymbol(ctx context.Context, s fullduplex.Symbol) error {
	switch s.Modality {
	case fullduplex.ModalityAudio:
		if s.Role() == fullduplex.RoleUser || len(s.Data) == 0 || s.Channels() != 1 {
			return nil
		}
		return c.writeAudio(ctx, s)
	case fullduplex.ModalityText:
		text, _ := s.TextValue()
		role := s.Role()
		if role != fullduplex.RoleUser {
			role = fullduplex.RoleModel
		}
		final, _ := s.Metadata[fullduplex.MetaFinal].(bool)
		turn, _ := s.Turn()
		return c.send(ctx, control(ServerTranscript{Role: role, Text: text, Final: final, Turn: turn}))
	}
	return nil
}

func (c *Conn) writeAudio(ctx context.Context, s fullduplex.Symbol) error {
	turn, ok := s.Turn()
	if !ok {
		turn = c.boundaries
	}
	now := time.Now()
	if c.answerAt == 0 || turn != c.audioTurn {
		// The first audio of a turn: its latency is measured from the end
		// of the user's last speech, unless that speech was answered
		// already.
		c.answerAt, c.latency = now.UnixNano(), 0
		if ls := c.lastSpeech.Load(); ls > 0 && ls != c.speechUsed && ls < c.answerAt {
			c.latency, c.speechUsed = time.Duration(c.answerAt-ls), ls
		}
	}
	c.audioTurn = turn
	rate := s.SampleRate()
	for data := s.Data; len(data) > 0; {
		// Frames the page's limit takes: long symbols are split.
		n := min(len(data), c.cfg.Limits.MaxAudioBytes&^1)
		frame := ServerAudio{Rate: rate, Turn: max(turn, 0), PCM: data[:n]}
		data = data[n:]
		mt, b := EncodeServer(frame)
		c.mu.Lock()
		c.flushed, c.sentTurn = false, turn
		c.sent[turn] += pcmDuration(n, rate)
		c.forget(turn)
		c.mu.Unlock()
		if err := c.send(ctx, outItem{messageType: mt, data: b, audio: true}); err != nil {
			return err
		}
		c.audioOut.Add(1)
	}
	return nil
}

func (c *Conn) writeEvent(ctx context.Context, e fullduplex.StreamEvent) error {
	switch e.Type {
	case fullduplex.EventStreamEnd, fullduplex.EventInterrupt:
		turn := c.audioTurn
		if te, ok := e.Data.(fullduplex.TurnEnd); ok {
			turn = te.Turn
		} else if c.answerAt == 0 {
			turn = c.boundaries
		}
		c.boundaries++
		latency := c.latency
		c.answerAt, c.latency = 0, 0
		if e.Type == fullduplex.EventInterrupt {
			return c.send(ctx, control(ServerInterrupted{Turn: turn}))
		}
		return c.send(ctx, control(ServerTurnEnd{Turn: turn, LatencyMS: int(latency / time.Millisecond)}))
	case fullduplex.EventError:
		return c.send(ctx, control(ServerError{Message: errorText(e.Data)}))
	}
	return nil
}

func errorText(v any) string {
	switch d := v.(type) {
	case error:
		return d.Error()
	case string:
		return d
	}
	return "error"
}

func (c *Conn) send(ctx context.Context, it outItem) error {
	if err := c.out.push(ctx, c.ctx.Done(), it); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return c.reason()
	}
	return nil
}

// Flush drops the model audio queued for the page and tells the page to
// drop what it holds, at once: the clear message goes before anything
// queued.
func (c *Conn) Flush() {
	c.mu.Lock()
	c.flushed, c.queued = true, 0
	c.mu.Unlock()
	c.out.flush()
}

// Played returns how much of model turn turn the page has played, as it
// last reported (every 100 ms while it plays, and after a clear): never
// more than was sent, and not what a Flush dropped. It is 0 for a turn the
// page has not played.
func (c *Conn) Played(turn int) time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return min(c.played[turn], c.sent[turn])
}

// Playing reports whether the page is playing model audio or has audio
// of the current turn still to play, as far as the server knows: false
// after a Flush until more audio is written.
func (c *Conn) Playing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.flushed {
		return false
	}
	if c.queued > 0 {
		return true
	}
	t := c.sentTurn
	left := c.sent[t] - c.played[t]
	if c.queuedOf == t {
		left -= c.queued
	}
	return left > c.cfg.Frame
}

func (c *Conn) notePlayed(m ClientPlayed) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, known := c.sent[m.Turn]; !known {
		return // a turn never sent, or forgotten
	}
	if d := time.Duration(m.PlayedMS) * time.Millisecond; d > c.played[m.Turn] {
		c.played[m.Turn] = d
	}
	if !c.flushed {
		c.queued, c.queuedOf = time.Duration(m.QueuedMS)*time.Millisecond, m.Turn
	}
}

// forget drops the playback state of turns long past; c.mu is held.
func (c *Conn) forget(turn int) {
	if len(c.sent) <= keepTurns {
		return
	}
	for t := range c.sent {
		if t < turn-keepTurns {
			delete(c.sent, t)
			delete(c.played, t)
		}
	}
}

func pcmDuration(bytes, rate int) time.Duration {
	if rate <= 0 {
		return 0
	}
	return time.Duration(bytes/2) * time.Second / time.Duration(rate)
}

func decodePCM(dst []int16, b []byte) ([]int16, error) { return pcm.DecodeInt16(dst, b) }
