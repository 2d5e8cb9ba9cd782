package gemini

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/downlink"
)

// ReconnectInfo is the Data of fullduplex.EventReconnect: the session goes
// on over a new connection. It is a plain value, safe to share.
type ReconnectInfo struct {
	// Reason is why: "goaway" (the service announced the end of the
	// connection) or "connection lost".
	Reason string
	// Err is the error that broke the old connection, or nil after a GoAway.
	Err error
	// Resumed is true when the new connection resumed the session from a
	// handle; false means a new session without the earlier context (no
	// resumable handle had arrived yet).
	Resumed bool
	// Attempts is how many dials it took.
	Attempts int
	// DroppedAudio counts the audio chunks dropped from the send buffer
	// during the switch (it keeps at most one second of audio).
	DroppedAudio int
	// Began is when the switch began: the old connection found lost, or,
	// after a GoAway, the move to the new one started.
	Began time.Time
}

// ReconnectBegan returns Began: ReconnectInfo is a
// fullduplex.ReconnectReport.
func (r ReconnectInfo) ReconnectBegan() time.Time { return r.Began }

// supervise owns the session's connections: it reconnects on GoAway and on
// an unexpected close, and ends the session. It is the only goroutine that
// replaces the current connection.
func (s *Stream) supervise(c *conn) {
	err := s.run(c)
	s.endErr = err
	close(s.ended)
}

// canReconnect reports whether the configuration allows reconnecting.
func (s *Stream) canReconnect() bool {
	return !s.rc.DisableResumption && s.rc.MaxReconnects > 0
}

// switchDeadline is when, after a GoAway with timeLeft d, the stream
// reconnects even without a fresh resumable handle.
func switchDeadline(d time.Duration) time.Duration {
	margin := d / 2
	if margin > 5*time.Second {
		margin = 5 * time.Second
	}
	return d - margin
}

func (s *Stream) run(c *conn) error {
	failures := 0 // consecutive failed connections
	var deadline *time.Timer
	var deadlineC <-chan time.Time
	stopDeadline := func() {
		if deadline != nil {
			deadline.Stop()
			deadline, deadlineC = nil, nil
		}
	}
	defer stopDeadline()
	goingAway := false
	for {
		var reason string
		var cause error
		select {
		case <-s.ctx.Done():
			_ = c.sess.Close()
			<-c.done
			return fullduplex.ErrClosed
		case <-c.done:
			if s.ctx.Err() != nil {
				return fullduplex.ErrClosed
			}
			switch c.outcome {
			case readCleanEnd, readFinished:
				return io.EOF
			case readFatal:
				return c.err
			}
			if !s.canReconnect() {
				return c.err
			}
			if c.good() {
				failures = 0
			} else if !goingAway {
				failures++ // it broke before the model said anything
			}
			reason, cause = "connection lost", c.err
		case d := <-c.goAway:
			if !s.canReconnect() || goingAway {
				continue
			}
			goingAway = true
			deadline = time.NewTimer(switchDeadline(d))
			deadlineC = deadline.C
			s.mu.Lock()
			ready := s.resume
			s.mu.Unlock()
			if !ready {
				continue // wait for a resumable handle, or the deadline
			}
			reason = "goaway"
		case <-c.resumable:
			if !goingAway {
				continue
			}
			reason = "goaway"
		case <-deadlineC:
			reason = "goaway"
		}
		stopDeadline()
		goingAway = false
		nc, err := s.reconnect(c, reason, cause, &failures)
		if errors.Is(err, errFinished) {
			return io.EOF
		}
		if err != nil {
			return err
		}
		c = nc
	}
}

// errFinished stops a reconnect that CloseSend made pointless: nothing is
// owed any more, the stream ends with io.EOF.
var errFinished = errors.New("gemini: finished after CloseSend")

// reconnect dials a new connection (with backoff between attempts), retires
// old, and makes the new one current. Sends are buffered meanwhile. It
// returns errFinished when CloseSend has finished the stream meanwhile.
func (s *Stream) reconnect(old *conn, reason string, cause error, failures *int) (*conn, error) {
	began := time.Now()
	s.send.detach()
	attempts := 0
	var lastErr error = cause
	backoff := s.rc.ReconnectBackoff
	for *failures < s.rc.MaxReconnects {
		if attempts > 0 || *failures > 0 { // the first try after a good connection is immediate
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-s.ctx.Done():
				t.Stop()
				return nil, fullduplex.ErrClosed
			case <-s.turns.finish:
				t.Stop()
				_ = old.sess.Close()
				<-old.done
				return nil, errFinished
			}
			backoff = min(2*backoff, 5*time.Second)
		}
		attempts++
		s.mu.Lock()
		resumed := s.handle != ""
		s.mu.Unlock()
		if downlink.IsDone(s.turns.finish) {
			_ = old.sess.Close()
			<-old.done
			return nil, errFinished
		}
		ctx, cancel := context.WithTimeout(s.ctx, s.rc.ConnectTimeout)
		sess, err := s.dial(ctx)
		cancel()
		if errors.Is(err, errFinished) {
			_ = old.sess.Close()
			<-old.done
			return nil, err
		}
		if err != nil {
			if s.ctx.Err() != nil {
				return nil, fullduplex.ErrClosed
			}
			*failures++
			lastErr = err
			var ce *CloseError
			if errors.As(err, &ce) && ce.fatal() {
				return nil, err
			}
			continue
		}
		// Retire the old connection: whatever it still delivers comes
		// before the new connection's first item.
		_ = old.sess.Close()
		<-old.done
		if downlink.IsDone(s.turns.finish) {
			_ = sess.Close()
			return nil, errFinished
		}
		if !resumed {
			s.turns.newSession() // the old session's answers will never come
		}
		dropped := s.install(sess, resumed)
		s.releaseHeld()
		if !s.push(event(fullduplex.EventReconnect, ReconnectInfo{
			Reason: reason, Err: cause, Resumed: resumed, Attempts: attempts, DroppedAudio: dropped, Began: began,
		}, time.Now())) {
			_ = sess.Close()
			return nil, fullduplex.ErrClosed
		}
		return s.startConn(sess), nil
	}
	_ = old.sess.Close()
	<-old.done
	return nil, fmt.Errorf("%w after %d attempts in a row: %w", ErrReconnectFailed, *failures, lastErr)
}
