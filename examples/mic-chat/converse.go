package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio"
	"github.com/fullduplex-go/fullduplex/audio/aec"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
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
	if o.echo == "" {
		o.echo = "aec" // the flag's default
	}
	session := fullduplex.NewDuplexSession(stream)
	if err := session.AddTool(timeTool); err != nil {
		return err
	}
	tr := &transcript{t: &console.Transcript{W: stdout, Model: speaker(o.backend)}}
	cfg := audio.Config{
		Microphone: audio.MicrophoneConfig{Device: o.in},
		Speaker:    audio.SpeakerConfig{Device: o.out},
		Sinks:      []fullduplex.Sink{tr},
		OnBargeIn:  tr.Interrupted,
		BargeIn:    bargein.Config{ResumeAfter: o.resumeAfter},
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
	if err := echoHandling(&cfg, o.echo, o.outWAV != ""); err != nil {
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
	if bridgeOpened != nil {
		bridgeOpened(bridge)
	}
	describe(stderr, bridge, o)
	return bridge.Run(ctx)
}

// bridgeOpened, if set (by the rig benchmark), is given the bridge chat
// opened, to read its counters.
var bridgeOpened func(*audio.Bridge)

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
	if o.outWAV == "" {
		fmt.Fprintf(w, "Echo: -echo %s: %s\n", o.echo, echoModes[o.echo])
	}
	if o.resumeAfter > 0 && o.outWAV == "" { // a file cannot pause
		fmt.Fprintf(w, "Talking over the answer pauses it; it resumes unless you go on talking for %v (a cough, \"mm-hmm\"); -resume-after 0 cuts at once.\n", o.resumeAfter)
	}
	if o.inWAV != "" {
		fmt.Fprintln(w, "Playing the file as the microphone; mic-chat ends after the answer to it. Ctrl-C to quit sooner.")
		return
	}
	fmt.Fprintln(w, "Speak now; talk over the answer to interrupt it; Ctrl-C to quit.")
}

// echoModes says what each -echo mode does and needs.
var echoModes = map[string]string{
	"aec": "speakers or headphones: an echo canceller removes the model's voice from the microphone; " +
		"the first second of the model's voice teaches it the room, then speak at a normal level to interrupt",
	"gate":       "speakers, no canceller: interrupt by speaking louder than the model plays",
	"headphones": "headphones only: no echo handling, any speech interrupts (with speakers the model interrupts itself)",
}

// echoHandling sets how barge-in tells the user from the model's echo;
// toFile: the answer goes to -out-wav, not a loudspeaker.
func echoHandling(cfg *audio.Config, mode string, toFile bool) error {
	switch mode {
	case "headphones":
		cfg.BargeIn.DisableEchoGate = true
	case "gate":
		// the user must be louder than the model plays
	case "aec":
		if !toFile { // a file has no echo to cancel (nor a reference); the gate stays
			cfg.Filter = aec.Filter(aec.Config{})
		}
	default:
		return fmt.Errorf("unknown -echo %q: want aec, gate or headphones", mode)
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
