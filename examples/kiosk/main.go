// Command kiosk is a kiosk with two microphones and one conversation. Both
// microphones hear people talking; only the one where someone says the
// activation phrase ("hey kiosk") gets the kiosk's attention, and the
// screen shows who has the floor. The conversation runs on Gemini Live and
// moves to a Gemini turn model if Live fails (a refused key, exhausted
// quota), without the conversation noticing.
//
// The microphones are WAV files played in real time (by default two
// recordings: a passer-by and a visitor who asks for the way). There is no
// speech-to-text in Go here: with an API key, each microphone's activation
// phrase is heard by the input transcription of a Gemini Live session of
// its own (attention.Input.Transcriber; it answers too, unheard, and that
// costs tokens). Without an API key, or with -offline, the transcripts are
// the flags' (-say1, -say2), as a speech-to-text step would give them, and
// it runs against local fakes: the fake Live service refuses the kiosk's
// key, so the kiosk fails over to the fake turn model, which echoes what it
// was told.
//
//	go run ./examples/kiosk
//	go run ./examples/kiosk -in2 question.wav -say2 "hey kiosk, is there a pharmacy?"
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	var o options
	flag.StringVar(&o.in[0], "in1", "", "WAV file heard by microphone 1 (default: a passer-by)")
	flag.StringVar(&o.in[1], "in2", "", "WAV file heard by microphone 2 (default: a visitor asking for gate four)")
	flag.StringVar(&o.say[0], "say1", "", "what microphone 1's file says, as speech-to-text would give it (offline, or when transcription fails)")
	flag.StringVar(&o.say[1], "say2", "", "what microphone 2's file says")
	flag.StringVar(&o.phrase, "phrase", "hey kiosk", "activation phrase")
	flag.StringVar(&o.liveModel, "live-model", "", "Gemini Live model (default gemini.DefaultModel)")
	flag.StringVar(&o.turnModel, "turn-model", "", "Gemini turn model to fail over to (default geminiturn.DefaultModel)")
	flag.BoolVar(&o.offline, "offline", false, "run against local fakes even with an API key")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil && ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "kiosk:", err)
		os.Exit(1)
	}
}
