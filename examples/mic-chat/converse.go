package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio"
	"github.com/fullduplex-go/fullduplex/audio/aec"
	"github.com/fullduplex-go/fullduplex/audio/wavio"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
)

// converse runs one conversation with the -backend's model (or, offline,
// the local echo model) until ctx is done or the stream ends.
func converse(ctx context.Context, o options, stdout, stderr io.Writer) error {
	stream, stop, err := newStream(o, stderr)
	if err != nil {
		return err
	}
	defer stop()
	defer stream.Close()
	return chat(ctx, stream, o, stdout, stderr)
}

// chat runs the conversation over stream. It returns when ctx is done, or
// nil when the stream ends cleanly: with -in-wav, after the answer to the
// file's last words (the file's end closes the input, see
// fullduplex.SendCloser), once that answer has played out on the speaker or
// into -out-wav.
func chat(ctx context.Context, stream fullduplex.DuplexStream, o options, stdout, stderr io.Writer) error {
	session := fullduplex.NewDuplexSession(stream)
	if err := session.AddTool(timeTool); err != nil {
		return err
	}
	cfg := audio.Config{
		Microphone: audio.MicrophoneConfig{Device: o.in},
		Speaker:    audio.SpeakerConfig{Device: o.out},
		Sinks:      []fullduplex.Sink{&console.Transcript{W: stdout, Model: speaker(o.backend)}},
	}
	if o.inWAV != "" {
		// The file is the whole input: no silence is added around it, since
		// its end means "answer what you have" (CloseSend), not a pause.
		src, err := wavio.OpenSource(o.inWAV, wavio.SourceConfig{Realtime: true})
		if err != nil {
			return err
		}
		defer src.Close()
		cfg.Input = src
	}
	if o.outWAV != "" {
		sink, err := wavio.CreateSink(o.outWAV, wavio.SinkConfig{Realtime: true})
		if err != nil {
			return err
		}
		defer sink.Close()
		cfg.Output = sink
	}
	if err := echoHandling(&cfg, o.echo); err != nil {
		return err
	}
	stopObserving, err := observe(session, &cfg, observeFlags, stderr)
	if err != nil {
		return err
	}
	defer stopObserving()
	bridge, err := audio.NewBridge(session, cfg)
	if err != nil {
		return err
	}
	defer bridge.Close()
	describe(stderr, bridge, o)
	return bridge.Run(ctx)
}

// describe tells the person what is listening and where the answer plays.
func describe(w io.Writer, b *audio.Bridge, o options) {
	in, out := o.inWAV, o.outWAV
	if m := b.Microphone(); m != nil {
		in = fmt.Sprintf("%s (%d Hz)", m.Device().Name, m.DeviceRate())
	}
	if s := b.Speaker(); s != nil {
		out = fmt.Sprintf("%s (%d Hz)", s.Device().Name, s.DeviceRate())
	}
	fmt.Fprintf(w, "Listening on %s, answering on %s.\n", in, out)
	if o.inWAV != "" {
		fmt.Fprintln(w, "Playing the file as the microphone; mic-chat ends after the answer to it. Ctrl-C to quit sooner.")
		return
	}
	fmt.Fprintln(w, "Speak now; talk over the answer to interrupt it; Ctrl-C to quit.")
}

// echoHandling sets how barge-in tells the user from the model's echo.
func echoHandling(cfg *audio.Config, mode string) error {
	switch mode {
	case "headphones":
		cfg.BargeIn.DisableEchoGate = true
	case "gate", "":
		// the default: the user must be louder than the model plays
	case "aec":
		cfg.Filter = aec.Filter(aec.Config{})
	default:
		return fmt.Errorf("unknown -echo %q: want headphones, gate or aec", mode)
	}
	return nil
}

// timeTool lets the model look up the time while it keeps talking.
var timeTool = fullduplex.Tool{
	Name:        "get_current_time",
	Description: "Returns the current local date and time.",
	Handler: func(ctx context.Context, _ map[string]any) (any, error) {
		now := time.Now()
		return map[string]any{"time": now.Format("15:04"), "date": now.Format("Monday 2 January 2006"), "zone": now.Format("MST")}, nil
	},
}
