package twilio

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// handshakeTimeout bounds the wait for Twilio's connected and start messages.
const handshakeTimeout = 10 * time.Second

// A Handler answers Twilio's Media Streams WebSocket (the url of a
// <Connect><Stream>) and serves each call with Serve. ServeHTTP is safe for
// concurrent use: each call runs on its own request goroutine and returns
// once Serve has returned and the call's reader and writer have finished.
type Handler struct {
	// Serve handles one call, typically with
	// fullduplex.NewDuplexSession(stream).RunDuplex(ctx, call, call).
	// ctx is cancelled once the caller has hung up (or the stream failed)
	// and Next has returned everything received before, or when the
	// request's context is done. When Serve returns, the audio it wrote is
	// sent and the stream is closed, which ends Twilio's <Connect>.
	// Required.
	Serve func(ctx context.Context, call *Call) error
	// Config configures each call.
	Config Config
	// AuthToken, if set, is the Twilio account's auth token: the WebSocket
	// handshake must then carry a valid X-Twilio-Signature (see
	// ValidateRequest), or it is answered 403 Forbidden. The token never
	// appears in errors or logs. Default: no check.
	AuthToken string
	// SignedURL returns the URL Twilio signed for r, the Stream url of the
	// TwiML. Default: "wss://" + r.Host + r.URL.RequestURI(), right behind
	// a TLS-terminating proxy that keeps the Host header.
	SignedURL func(r *http.Request) string
	// ErrorLog receives one line for each call that ends in an error and
	// each refused handshake. Default: the log package's standard logger.
	ErrorLog *log.Logger
}

// ServeHTTP checks the signature, upgrades the request to a WebSocket,
// reads Twilio's connected and start messages and runs Serve.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.Serve == nil {
		http.Error(w, "twilio: Handler.Serve is nil", http.StatusInternalServerError)
		return
	}
	if h.AuthToken != "" {
		u := "wss://" + r.Host + r.URL.RequestURI()
		if h.SignedURL != nil {
			u = h.SignedURL(r)
		}
		if err := ValidateRequest(r, h.AuthToken, u); err != nil {
			h.logf("twilio: %s: %v", r.RemoteAddr, err)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
	}
	// Twilio sends no Origin header; the signature is the check.
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return // Upgrade has answered with an HTTP error
	}
	defer conn.Close()
	conn.SetReadLimit(MaxMessage)
	start, err := handshake(conn)
	if err == nil {
		var call *Call
		if call, err = newCall(conn, start, h.Config); err == nil {
			err = h.run(r.Context(), call)
		}
	}
	if err != nil {
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

// run serves one call and waits for every goroutine it started.
func (h *Handler) run(ctx context.Context, call *Call) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var reader, writer, watcher sync.WaitGroup
	reader.Go(call.read)
	writer.Go(call.writeLoop)
	watcher.Go(func() {
		select {
		case <-call.drained:
			cancel()
		case <-ctx.Done():
		}
	})
	serr := h.Serve(ctx, call)
	cancelled := ctx.Err() != nil
	call.finishWrites()
	writer.Wait()
	call.finish()
	reader.Wait()
	_ = call.conn.Close()
	cancel()
	watcher.Wait()

	if cause := call.Err(); cause != nil && !errors.Is(cause, ErrClosed) {
		return fmt.Errorf("call %s: %w", call.CallSid(), cause)
	}
	if serr != nil && !(cancelled && errors.Is(serr, context.Canceled)) {
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
			return Start{}, fmt.Errorf("before start: %w", readError(err))
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
