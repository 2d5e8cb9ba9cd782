// Command mic-chat is a voice conversation with Gemini: talk into the
// microphone, hear the answer on the speaker, interrupt it mid-sentence
// and it stops at once, ask for the time and it calls a tool while it
// keeps talking. The live transcript of both sides prints as you talk.
//
//	go run ./examples/mic-chat                      # default devices
//	go run ./examples/mic-chat -list-devices
//	go run ./examples/mic-chat -in 2 -out "USB"     # devices by index or name
//	go run ./examples/mic-chat -in-wav question.wav -out-wav answer.wav
//	go run ./examples/mic-chat -offline             # a local echo model, no key, no network
//	go run ./examples/mic-chat -backend openai      # OpenAI Realtime instead of Gemini Live
//
// Without GOOGLE_API_KEY (or GEMINI_API_KEY; OPENAI_API_KEY for -backend
// openai) it says what to set and runs offline. With speakers the microphone hears the model too: -echo picks
// how barge-in copes (see the README's section on echo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

type options struct {
	backend              string // gemini or openai
	model, voice, system string
	in, out              string // device selectors
	inWAV, outWAV        string
	echo                 string // headphones, gate or aec
	listDevices, offline bool
	duration             time.Duration
}

func main() {
	var o options
	flag.StringVar(&o.backend, "backend", "gemini", "gemini (Gemini Live, key in GOOGLE_API_KEY) or openai (OpenAI Realtime, key in OPENAI_API_KEY)")
	flag.StringVar(&o.model, "model", "", "model (default: the backend's, gemini.DefaultModel or openai.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", `voice, e.g. "Puck" or "Kore" (default: the service's)`)
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant. Keep answers short and conversational.", "system instruction")
	flag.StringVar(&o.in, "in", "", "input device: index or name from -list-devices (default: the system's)")
	flag.StringVar(&o.out, "out", "", "output device: index or name from -list-devices (default: the system's)")
	flag.StringVar(&o.inWAV, "in-wav", "", "read the microphone from this WAV file instead of a device (played in real time);\nmic-chat ends once the answer to it has played")
	flag.StringVar(&o.outWAV, "out-wav", "", "write what the model says to this WAV file instead of a speaker")
	flag.StringVar(&o.echo, "echo", "gate", "how barge-in tells you from the model's own voice:\n"+
		"headphones: no echo, any speech interrupts;\n"+
		"gate: with speakers, interrupt only by speaking louder than the model plays;\n"+
		"aec: with speakers, cancel the echo (speexdsp), then speak normally")
	flag.BoolVar(&o.listDevices, "list-devices", false, "list audio devices and exit")
	flag.BoolVar(&o.offline, "offline", false, "talk to a local echo model instead of the backend's service")
	flag.DurationVar(&o.duration, "duration", 0, "stop after this long (default: until Ctrl-C, or the answer to -in-wav)")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "mic-chat:", err)
		os.Exit(1)
	}
}

// run is the whole program, minus flags and signals, so tests can run it.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.listDevices {
		return listDevices(stdout)
	}
	if o.duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.duration)
		defer cancel()
	}
	err := converse(ctx, o, stdout, stderr)
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return nil // Ctrl-C or -duration
	}
	return err
}
