// Command phone answers phone calls with Gemini through Twilio Media
// Streams: Twilio's voice webhook gets TwiML that connects the call to a
// bidirectional stream, and each call's stream is bridged to its own Live
// session. The caller talks over the answer to interrupt it, or presses *.
//
//	go run ./examples/phone                      # 127.0.0.1:8080
//	go run ./examples/phone -offline             # a local echo model, no key, no network
//	go run ./examples/phone -addr 127.0.0.1:9000 -auth-token "$TWILIO_AUTH_TOKEN"
//
// Without GOOGLE_API_KEY (or GEMINI_API_KEY) it says what to set and runs
// offline. To take real calls, expose the server over HTTPS (for example
// `ngrok http 8080`) and set the Twilio number's "A call comes in" webhook
// to https://YOUR-HOST/twilio/voice (HTTP POST); see the README.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	addr                 string
	model, voice, system string
	authToken            string
	offline              bool
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	flag.StringVar(&o.model, "model", "", "Live model (default gemini.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", `voice, e.g. "Puck" or "Kore" (default: the service's)`)
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant on a phone line. Keep answers short.", "system instruction")
	flag.StringVar(&o.authToken, "auth-token", os.Getenv("TWILIO_AUTH_TOKEN"), "Twilio auth token: check X-Twilio-Signature on every request (default $TWILIO_AUTH_TOKEN; empty: no check)")
	flag.BoolVar(&o.offline, "offline", false, "answer with a local echo model instead of Gemini")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "phone:", err)
		os.Exit(1)
	}
	if err := run(ctx, ln, o, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "phone:", err)
		os.Exit(1)
	}
}

// run serves ln until ctx is done, then shuts down; it is the whole program
// minus flags and signals, so tests can run it.
func run(ctx context.Context, ln net.Listener, o options, log io.Writer) error {
	calls, stopModel := newCalls(o, log)
	defer stopModel()
	srv := &http.Server{
		Handler:           routes(calls, o.authToken, log),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return calls.ctx },
	}
	fmt.Fprintf(log, "Listening on http://%s: Twilio's voice webhook is POST /twilio/voice, the media stream /twilio/stream.\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Calls in progress are WebSockets, which Shutdown neither ends nor
	// waits for: cancel their context, then wait for their handlers.
	calls.endAll()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := srv.Shutdown(shutdownCtx)
	calls.wait()
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) {
		return e
	}
	return err
}
