// Command web-chat serves a voice conversation with Gemini to a browser:
// open the address it prints, press Start, allow the microphone and talk;
// talk over the answer to interrupt it, and share the camera or a screen
// to ask about what it sees. The page shows the transcript of both sides,
// interruptions and each turn's latency.
//
//	go run ./examples/web-chat                  # http://127.0.0.1:8080
//	go run ./examples/web-chat -addr 127.0.0.1:9000 -video-fps 2
//	go run ./examples/web-chat -offline         # a local echo model, no key, no network
//	go run ./examples/web-chat -addr :8443 -tls-cert cert.pem -tls-key key.pem  # https, for other machines
//
// Browsers give the microphone only to secure pages: http://127.0.0.1 and
// http://localhost count, a page from another machine needs HTTPS, so serve
// callers off this machine with -tls-cert and -tls-key (or behind a proxy
// that terminates TLS).
//
// Without GOOGLE_API_KEY (or GEMINI_API_KEY) it says what to set and runs
// offline. The key stays on the server: the page never sees it. Each
// browser tab gets its own Live session.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/examples/internal/serve"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/web"
)

type options struct {
	serve.Flags
	model, voice, system string
	videoFPS             float64
	offline              bool
}

func main() {
	var o options
	o.Register("127.0.0.1:8080")
	flag.StringVar(&o.model, "model", "", "Live model (default gemini.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", `voice, e.g. "Puck" or "Kore" (default: the service's)`)
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant. Keep answers short and conversational.", "system instruction")
	flag.Float64Var(&o.videoFPS, "video-fps", web.DefaultVideoFPS, "camera or screen frames per second while the user shares one")
	flag.BoolVar(&o.offline, "offline", false, "talk to a local echo model instead of Gemini")
	flag.Parse()
	serve.Main("web-chat", o.Flags, func(ctx context.Context, ln net.Listener) error { return run(ctx, ln, o, os.Stderr) })
}

// run serves on ln until ctx is done.
func run(ctx context.Context, ln net.Listener, o options, stderr io.Writer) error {
	gcfg := gemini.Config{Model: o.model, Voice: o.voice, SystemInstruction: o.system}
	defer offline.Use(&gcfg, o.offline, stderr)()
	h, err := web.NewHandler(web.Config{
		VideoFPS: o.videoFPS,
		Serve: func(ctx context.Context, c *web.Conn) error {
			stream := gemini.NewStream(gcfg)
			defer stream.Close()
			return c.Run(ctx, fullduplex.NewDuplexSession(stream))
		},
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "Open %s/ in a browser, press Start and talk. Ctrl-C to quit.\n", o.URL(ln))
	return serve.Serve(ctx, &http.Server{Handler: h}, ln, o.Flags, func() { h.Close() })
}
