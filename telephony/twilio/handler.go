package twilio

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// handshakeTimeout bounds the wait for Twilio's connected and start messages.
const handshakeTimeout = 10 * time.Second

// A Handler answers Twilio's Media Streams WebSocket (the url of a
// <Connect><Stream>) and serves each call with Serve. ServeHTTP is safe for
// concurrent use: each call runs on its own request goroutine and returns
// when Serve has returned and the call's reader has finished.
type Handler struct {
	// Serve handles one call, typically with
	// DuplexSession.RunDuplex(ctx, call, call). ctx is cancelled when the
	// stream ends (the caller hung up, the connection dropped) or the
	// request's context is done; Serve's error, unless it is ctx's after
	// the caller hung up, is logged to ErrorLog. Required.
	Serve func(ctx context.Context, call *Call) error
	// Config configures each call.
	Config Config
	// CheckOrigin is passed to the WebSocket upgrader. Default: accept
	// every origin (Twilio sends none).
	CheckOrigin func(r *http.Request) bool
	// ErrorLog receives one line per call that ends in an error. Default:
	// the log package's standard logger.
	ErrorLog *log.Logger
}

// ServeHTTP upgrades the request to a WebSocket, waits for Twilio's
// connected and start messages and runs Serve.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	check := h.CheckOrigin
	if check == nil {
		check = func(*http.Request) bool { return true }
	}
	up := websocket.Upgrader{CheckOrigin: check}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	defer conn.Close()
	if err := h.serve(r.Context(), conn); err != nil {
		h.logf("twilio: %s: %v", r.RemoteAddr, err)
	}
}

func (h *Handler) logf(format string, args ...any) {
	if h.ErrorLog != nil {
		h.ErrorLog.Printf(format, args...)
		return
	}
	log.Printf(format, args...)
}

func (h *Handler) serve(ctx context.Context, conn *websocket.Conn) error {
	if h.Serve == nil {
		return errors.New("twilio: Handler.Serve is nil")
	}
	conn.SetReadLimit(maxFrame)
	start, err := handshake(conn)
	if err != nil {
		return err
	}
	call, err := newCall(conn, start, h.Config)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	quit := make(chan struct{})
	go call.read(quit)
	go func() {
		select {
		case <-call.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	serr := h.Serve(ctx, call)
	// End the reader: closing the socket unblocks its read, quit its wait
	// for room in the input queue.
	close(quit)
	_ = conn.Close()
	<-call.done
	cancel()
	if serr != nil && !(errors.Is(serr, context.Canceled) && call.Err() == nil) {
		return fmt.Errorf("call %s: %w", call.CallSid(), serr)
	}
	return nil
}

// handshake reads the connected and start messages.
func handshake(conn *websocket.Conn) (Start, error) {
	if err := conn.SetReadDeadline(time.Now().Add(handshakeTimeout)); err != nil {
		return Start{}, err
	}
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return Start{}, fmt.Errorf("%w: before start: %v", ErrDisconnected, err)
		}
		m, err := DecodeMessage(data)
		if err != nil {
			return Start{}, err
		}
		switch m.Event {
		case EventConnected:
			continue
		case EventStart:
			if m.Start.StreamSid == "" {
				m.Start.StreamSid = m.StreamSid
			}
			return *m.Start, conn.SetReadDeadline(time.Time{})
		default:
			return Start{}, fmt.Errorf("%w: %s message before start", ErrMalformed, m.Event)
		}
	}
}
