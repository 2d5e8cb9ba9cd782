// Command text-chat is a terminal conversation with a model: type a line,
// read the answer as it streams in, type again while it streams to cut it
// off. The same code runs over four backends, chosen by -backend:
//
//	live               Gemini Live (server-side realtime; text from transcriptions)
//	openai             OpenAI Realtime (server-side realtime; text from transcriptions)
//	turn               a Gemini turn model made live on the client side
//	openai-compatible  a local model behind an OpenAI-compatible server (-url)
//
// Without an API key (or with -offline) it talks to a local fake of the
// chosen backend that echoes what you type. Lines typed (or pasted) before
// an answer has begun are each answered in turn; a line typed while an
// answer streams cuts it off. At the end of input (Ctrl-D, or the end of a
// piped file) the last answer is printed and the program exits. After each
// answer a line gives its time to first token and, with -price-in and
// -price-out, the running cost; -record FILE records the call (a WAV and a
// JSON transcript beside it):
//
//	go run ./examples/text-chat -offline -record call.wav
//
//	go run ./examples/text-chat -backend turn -system "Answer in one sentence."
package main

import (
	"context"
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
	flag.StringVar(&o.backend, "backend", "live", "live, turn, openai or openai-compatible")
	flag.StringVar(&o.model, "model", "", "model name (default: the backend's default)")
	flag.StringVar(&o.url, "url", "", "base URL of the OpenAI-compatible server (default llama.cpp's http://127.0.0.1:8080/v1)")
	flag.StringVar(&o.system, "system", "You are a helpful assistant. Keep answers short.", "system instruction")
	flag.BoolVar(&o.offline, "offline", false, "talk to a local fake model instead of the real one")
	o.observe.Flags(flag.CommandLine)
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
	var typed fullduplex.Source = lines
	var out fullduplex.Sink = &console.Transcript{W: os.Stdout, Model: speaker(o.backend)}
	rec, stopRecording, err := o.observe.Recorder(os.Stderr)
	if err != nil {
		return err
	}
	defer stopRecording()
	if rec != nil {
		typed, out = rec.Source(lines), fullduplex.MultiSink(out, rec)
	}
	err = chat(ctx, stream, typed, out, o.observe.Metrics())
	if ctx.Err() != nil {
		return nil // Ctrl-C: the user quit
	}
	return err
}

// chat is the conversation, the same over every backend: typed lines go to
// the stream, answers to out. It returns nil after the answer to the last
// line, once typed ends: the session then closes the stream's input
// (CloseSend), and the stream ends after that answer. With metrics, out
// also gets each turn's measurements (time to first token, cost).
func chat(ctx context.Context, stream fullduplex.DuplexStream, typed fullduplex.Source, out fullduplex.Sink, metrics *fullduplex.MetricsConfig) error {
	session := fullduplex.NewDuplexSession(stream)
	session.Metrics = metrics
	turns := &console.Turns{Source: typed, Sink: out, Interrupt: session.Interrupt}
	return session.RunDuplex(ctx, turns, turns)
}
