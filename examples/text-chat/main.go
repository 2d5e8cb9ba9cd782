// Command text-chat is a terminal conversation with Gemini Live: type a
// line, read the answer as it streams in. Without an API key (or with
// -offline) it talks to a local echo model.
//
//	go run ./examples/text-chat -system "Answer in one sentence."
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
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
)

func main() {
	model := flag.String("model", gemini.DefaultModel, "Live model")
	system := flag.String("system", "You are a helpful assistant. Keep answers short.", "system instruction")
	offlineMode := flag.Bool("offline", false, "talk to a local echo model instead of Gemini")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, *model, *system, *offlineMode); err != nil {
		fmt.Fprintln(os.Stderr, "text-chat:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, model, system string, offlineMode bool) error {
	cfg := gemini.Config{Model: model, SystemInstruction: system}
	defer offline.Use(&cfg, offlineMode, os.Stderr)()

	stream := gemini.NewStream(cfg)
	defer stream.Close()
	fmt.Fprintln(os.Stderr, "Type a message and press Enter; Ctrl-D or Ctrl-C to quit.")
	lines := console.NewLines()
	defer lines.Restore()
	ctx, quit := context.WithCancel(ctx)
	defer quit()
	chat := &console.QuitAfterAnswers{Source: lines, Sink: &console.Transcript{W: os.Stdout}, Quit: quit}
	err := fullduplex.NewDuplexSession(stream).RunDuplex(ctx, chat, chat)
	if errors.Is(err, context.Canceled) {
		return nil // Ctrl-C, or Ctrl-D after the last answer
	}
	return err
}
