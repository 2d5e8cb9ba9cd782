package gemini

import (
	"encoding/json"
	"time"

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

// read is the one goroutine reading c: it keeps reading whatever the
// application does (so gorilla answers pings), notes resumption handles and
// GoAway for the supervisor, and hands every item to Receive in order.
func (s *Stream) read(c *conn) {
	defer close(c.done)
	s.mu.Lock()
	outRate := s.rc.OutputSampleRate
	s.mu.Unlock()
	s.mapper.outRate = outRate
	var buf []fullduplex.StreamItem
	for {
		msg, err := c.sess.Receive()
		if err != nil {
			outcome, rep := classifyRead(err)
			if outcome == readMalformed {
				if !s.push(event(fullduplex.EventError, rep, time.Now())) {
					return
				}
				continue
			}
			c.outcome, c.err = outcome, rep
			return
		}
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
		for i, it := range buf {
			if !s.push(it) {
				return
			}
			buf[i] = nil
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
