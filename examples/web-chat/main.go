// Command web-chat serves a voice conversation with Gemini to a browser:
// open the address it prints, press Start, allow the microphone and talk;
// talk over the answer to interrupt it, and share the camera or a screen
// to ask about what it sees. The page shows the transcript of both sides,
// interruptions and each turn's latency.
//
//	go run ./examples/web-chat                  # http://127.0.0.1:8080
//	go run ./examples/web-chat -addr 127.0.0.1:9000 -video-fps 2
//	go run ./examples/web-chat -offline         # a local echo model, no key, no network
//
// Without GOOGLE_API_KEY (or GEMINI_API_KEY) it says what to set and runs
// offline. The key stays on the server: the page never sees it. Each
// browser tab gets its own Live session.
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

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/web"
)

type options struct {
	addr, model, voice, system string
	videoFPS                   float64
	offline                    bool
}

func main() {
	var o options
	flag.StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to serve on")
	flag.StringVar(&o.model, "model", "", "Live model (default gemini.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", `voice, e.g. "Puck" or "Kore" (default: the service's)`)
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant. Keep answers short and conversational.", "system instruction")
	flag.Float64Var(&o.videoFPS, "video-fps", web.DefaultVideoFPS, "camera or screen frames per second while the user shares one")
	flag.BoolVar(&o.offline, "offline", false, "talk to a local echo model instead of Gemini")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", o.addr)
	if err == nil {
		err = run(ctx, ln, o, os.Stderr)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "web-chat:", err)
		os.Exit(1)
	}
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
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(stderr, "Open http://%s/ in a browser, press Start and talk. Ctrl-C to quit.\n", ln.Addr())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = srv.Shutdown(shut)
		cancel()
		<-served
	}
	h.Close()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
