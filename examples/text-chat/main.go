// Command text-chat is a terminal conversation with a model: type a line,
// read the answer as it streams in, type again while it streams to cut it
// off. The same code runs over three backends, chosen by -backend:
//
//	live               Gemini Live (server-side realtime; text from transcriptions)
//	turn               a Gemini turn model made live on the client side
//	openai-compatible  a local model behind an OpenAI-compatible server (-url)
//
// Without an API key (or with -offline) it talks to a local fake of the
// chosen backend that echoes what you type.
//
//	go run ./examples/text-chat -backend turn -system "Answer in one sentence."
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
)

func main() {
	var o options
	flag.StringVar(&o.backend, "backend", "live", "live, turn or openai-compatible")
	flag.StringVar(&o.model, "model", "", "model name (default: the backend's default)")
	flag.StringVar(&o.url, "url", "", "base URL of the OpenAI-compatible server (default llama.cpp's http://127.0.0.1:8080/v1)")
	flag.StringVar(&o.system, "system", "You are a helpful assistant. Keep answers short.", "system instruction")
	flag.BoolVar(&o.offline, "offline", false, "talk to a local fake model instead of the real one")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "text-chat:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	stream, cleanup, err := newStream(o, os.Stderr)
	if err != nil {
		return err
	}
	defer cleanup()
	defer stream.Close()

	fmt.Fprintln(os.Stderr, "Type a message and press Enter; type while the answer streams to interrupt it; Ctrl-D or Ctrl-C to quit.")
	lines := console.NewLines()
	defer lines.Restore()
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	session := fullduplex.NewDuplexSession(stream)
	chat := &console.Turns{Source: lines, Sink: &console.Transcript{W: os.Stdout}, Interrupt: session.Interrupt, Quit: quit}
	err = session.RunDuplex(ctx, chat, chat)
	if errors.Is(err, context.Canceled) {
		return nil // Ctrl-C, or Ctrl-D after the last answer
	}
	return err
}
