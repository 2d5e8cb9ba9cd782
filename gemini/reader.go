package gemini

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

var jsonMarshal = json.Marshal

// A conn is one websocket connection and the state of its reader goroutine.
// outcome, err and received are written by the reader before done closes.
type conn struct {
	sess      *genai.Session
	done      chan struct{}
	goAway    chan time.Duration // latest GoAway's timeLeft; capacity 1
	resumable chan struct{}      // a resumable handle arrived; capacity 1

	started  time.Time
	outcome  readOutcome
	err      error
	received bool // a server message other than setupComplete or a resumption update arrived
}

// goodConnLifetime is how long a connection must have lasted to count as
// good even if the model said nothing on it (a quiet user).
const goodConnLifetime = 10 * time.Second

// good reports, once c is done, whether c worked: it resets the count of
// failed connections in a row.
func (c *conn) good() bool { return c.received || time.Since(c.started) >= goodConnLifetime }

// startConn makes c the current connection and starts its reader.
func (s *Stream) startConn(sess *genai.Session) *conn {
	c := &conn{
		sess:      sess,
		started:   time.Now(),
		done:      make(chan struct{}),
		goAway:    make(chan time.Duration, 1),
		resumable: make(chan struct{}, 1),
	}
	s.mu.Lock()
	s.cur = c
	s.mu.Unlock()
	if !s.goTracked(func() { s.read(c) }) {
		// Close ran before c was visible to it.
		_ = sess.Close()
		close(c.done)
	}
	return c
}

// goTracked runs f on a goroutine that Close waits for, unless the stream is
// closed. Close cancels s.ctx under s.mu, so no goroutine is added once it
// waits.
func (s *Stream) goTracked(f func()) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ctx.Err() != nil {
		return false
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		f()
	}()
	return true
}

// A frame is one result of the SDK's Session.Receive.
type frame struct {
	msg *genai.LiveServerMessage
	err error
}

// read runs c: one goroutine (recv) keeps reading whatever the application
// does (so gorilla answers pings), and this one notes resumption handles and
// GoAway for the supervisor, maps messages to items (see mapper) and hands
// them to Receive in order, releases a held terminator after
// interruptHold, and ends the connection when CloseSend's last owed answer
// has ended (or Config.CloseSendWait passed without one starting). It closes
// c's session when it returns, and waits for recv.
func (s *Stream) read(c *conn) {
	defer close(c.done)
	frames := make(chan frame)
	stop := make(chan struct{})
	recvDone := make(chan struct{})
	limitReads(c.sess, s.rc.MaxFrameSize)
	defer func() {
		close(stop)
		_ = c.sess.Close()
		<-recvDone
	}()
	if !s.goTracked(func() {
		defer close(recvDone)
		for {
			msg, err := c.sess.Receive()
			select {
			case frames <- frame{msg, err}:
			case <-stop:
				return
			}
			if err != nil {
				if outcome, _ := classifyRead(err, nil); outcome != readMalformed {
					return
				}
			}
		}
	}) {
		close(recvDone)
		c.outcome, c.err = readBroken, fullduplex.ErrClosed
		return
	}
	s.mapper.outRate = s.rc.OutputSampleRate
	s.mapper.played = s.played

	var hold, wait *time.Timer
	var holdC, waitC <-chan time.Time
	defer func() {
		if hold != nil {
			hold.Stop()
		}
		if wait != nil {
			wait.Stop()
		}
	}()
	var buf []fullduplex.StreamItem
	// deliver pushes buf; it reports false when the reader must stop (the
	// stream is closed, or finished after CloseSend).
	deliver := func() bool {
		for i, it := range buf {
			if !s.push(it) {
				c.outcome, c.err = readBroken, fullduplex.ErrClosed
				return false
			}
			buf[i] = nil
			if s.turns.received(it) {
				c.outcome = readFinished
				return false
			}
		}
		buf = buf[:0]
		s.releaseHeld()
		return true
	}
	for {
		// Arm or disarm the timers for the state the last step left.
		switch {
		case s.mapper.holding() && hold == nil:
			hold = time.NewTimer(interruptHold)
			holdC = hold.C
		case !s.mapper.holding() && hold != nil:
			hold.Stop()
			hold, holdC = nil, nil
		}
		switch waiting := s.turns.waiting(); {
		case waiting && wait == nil:
			wait = time.NewTimer(s.rc.CloseSendWait)
			waitC = wait.C
		case !waiting && wait != nil:
			wait.Stop()
			wait, waitC = nil, nil
		}

		var f frame
		select {
		case f = <-frames:
		case <-holdC:
			hold, holdC = nil, nil
			buf = s.mapper.release(buf[:0])
			if !deliver() {
				return
			}
			continue
		case <-waitC:
			wait, waitC = nil, nil
			s.turns.giveUp()
			continue
		case <-s.turns.kick:
			continue
		case <-s.turns.finish:
			if buf = s.mapper.release(buf[:0]); !deliver() {
				return
			}
			c.outcome = readFinished
			return
		case <-s.ctx.Done():
			c.outcome, c.err = readBroken, fullduplex.ErrClosed
			return
		}
		if f.err != nil {
			outcome, rep := classifyRead(f.err, s.secrets())
			if errors.Is(f.err, websocket.ErrReadLimit) {
				rep = &FrameTooLargeError{Limit: s.rc.MaxFrameSize}
				buf = append(buf[:0], event(fullduplex.EventError, rep, time.Now()))
				if !deliver() {
					return
				}
			}
			if outcome == readMalformed {
				buf = append(buf[:0], event(fullduplex.EventError, rep, time.Now()))
				if !deliver() {
					return
				}
				continue
			}
			// What the connection said last comes before its end.
			if buf = s.mapper.release(buf[:0]); !deliver() {
				return
			}
			c.outcome, c.err = outcome, rep
			return
		}
		msg := f.msg
		if msg.SetupComplete != nil && setupOnly(msg) {
			continue // the SDK returns the buffered setupComplete again
		}
		if substantive(msg) {
			c.received = true
		}
		if u := msg.SessionResumptionUpdate; u != nil {
			s.mu.Lock()
			s.resume = u.Resumable && u.NewHandle != ""
			if s.resume {
				s.handle = u.NewHandle
			}
			s.mu.Unlock()
			if u.Resumable && u.NewHandle != "" {
				s.send.ack(c.sess)
				select {
				case c.resumable <- struct{}{}:
				default:
				}
			}
		}
		if g := msg.GoAway; g != nil {
			select {
			case <-c.goAway:
			default:
			}
			c.goAway <- g.TimeLeft
		}
		buf = s.mapper.items(buf[:0], msg)
		if !deliver() {
			return
		}
	}
}

// setupOnly reports whether msg carries nothing but setupComplete.
func setupOnly(m *genai.LiveServerMessage) bool {
	return !substantive(m) && m.SessionResumptionUpdate == nil
}

// substantive reports whether msg carries more than connection housekeeping
// (setupComplete, resumption updates).
func substantive(m *genai.LiveServerMessage) bool {
	return m.ServerContent != nil || m.ToolCall != nil || m.ToolCallCancellation != nil ||
		m.UsageMetadata != nil || m.GoAway != nil || m.VoiceActivity != nil ||
		m.VoiceActivityDetectionSignal != nil
}
