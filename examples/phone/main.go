// Command phone answers phone calls with Gemini through Twilio Media
// Streams: Twilio's voice webhook gets TwiML that connects the call to a
// bidirectional stream, and each call's stream is bridged to its own Live
// session. The caller talks over the answer to interrupt it, or presses *.
//
//	go run ./examples/phone                      # 127.0.0.1:8080
//	go run ./examples/phone -offline             # a local echo model, no key, no network
//	go run ./examples/phone -addr 127.0.0.1:9000 -auth-token "$TWILIO_AUTH_TOKEN"
//	go run ./examples/phone -addr :443 -tls-cert cert.pem -tls-key key.pem -auth-token "$TWILIO_AUTH_TOKEN"
//
// Without GOOGLE_API_KEY (or GEMINI_API_KEY) it says what to set and runs
// offline. To take real calls, expose the server over HTTPS (for example
// `ngrok http 8080`, or -tls-cert and -tls-key on a public host) and set the Twilio number's "A call comes in" webhook
// to https://YOUR-HOST/twilio/voice (HTTP POST); see the README.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/fullduplex-go/fullduplex/examples/internal/serve"
)

type options struct {
	serve.Flags
	model, voice, system string
	authToken            string
	offline              bool
}

func main() {
	var o options
	o.Register("127.0.0.1:8080")
	flag.StringVar(&o.model, "model", "", "Live model (default gemini.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", `voice, e.g. "Puck" or "Kore" (default: the service's)`)
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant on a phone line. Keep answers short.", "system instruction")
	flag.StringVar(&o.authToken, "auth-token", "", "Twilio auth token: check X-Twilio-Signature on every request (default $TWILIO_AUTH_TOKEN; empty: no check)")
	flag.BoolVar(&o.offline, "offline", false, "answer with a local echo model instead of Gemini")
	flag.Parse()
	if o.authToken == "" {
		o.authToken = os.Getenv("TWILIO_AUTH_TOKEN") // read here, not as the flag's default, which -h prints
	}
	serve.Main("phone", o.Flags, func(ctx context.Context, ln net.Listener) error { return run(ctx, ln, o, os.Stderr) })
}

// run serves ln until ctx is done, then shuts down; it is the whole program
// minus flags and signals, so tests can run it.
func run(ctx context.Context, ln net.Listener, o options, log io.Writer) error {
	calls, stopModel := newCalls(o, log)
	defer stopModel()
	srv := &http.Server{
		Handler:     routes(calls, o.authToken, log),
		BaseContext: func(net.Listener) context.Context { return calls.ctx },
	}
	fmt.Fprintf(log, "Listening on %s: Twilio's voice webhook is POST /twilio/voice, the media stream /twilio/stream.\n", o.URL(ln))
	// Calls in progress are WebSockets, which Shutdown neither ends nor
	// waits for: end them, and wait for their handlers.
	return serve.Serve(ctx, srv, ln, o.Flags, func() { calls.endAll(); calls.wait() })
}
