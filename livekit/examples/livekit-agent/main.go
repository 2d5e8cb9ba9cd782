// Command livekit-agent serves every LiveKit room it is dispatched to with a
// voice agent, the one mic-chat is: Gemini Live (or OpenAI Realtime with
// -backend openai), or without a key (or with -offline) a local echo model
// that repeats what it hears. Start as many as you like against
// the same server: the server spreads rooms over them by load.
//
//	livekit-server --dev --bind 127.0.0.1 --node-ip 127.0.0.1   # or .ci/start-livekit.sh
//	go run ./examples/livekit-agent -offline                      # from livekit/
//	go run ./examples/livekit-agent -caller-token myroom          # a token to join as a caller
//
// Then open LiveKit's web playground (or any LiveKit client) on this machine,
// connect to ws://127.0.0.1:7880 with the caller token, and talk: the
// token dispatches the agent to the room. Ctrl-C stops at once; SIGTERM
// drains: no new rooms, the current conversations finish, then it exits.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/livekit"
	protologger "github.com/livekit/protocol/logger"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

type options struct {
	backend                string // gemini or openai
	url, agentName, listen string
	model, voice, system   string
	maxJobs                int
	offline                bool
	callerToken            string // a room name: print a caller token for it and exit
}

func main() {
	var o options
	flag.StringVar(&o.backend, "backend", "gemini", "gemini (Gemini Live, key in GOOGLE_API_KEY) or openai (OpenAI Realtime, key in OPENAI_API_KEY)")
	flag.StringVar(&o.url, "url", "", "LiveKit server URL (default $LIVEKIT_URL, then ws://127.0.0.1:7880)")
	flag.StringVar(&o.agentName, "agent-name", "fullduplex", `agent name; rooms get the agent when dispatched by name ("" = every new room)`)
	flag.IntVar(&o.maxJobs, "max-jobs", 4, "rooms served at once")
	flag.StringVar(&o.listen, "listen", "first", `whom to listen to: "first" caller, "all" mixed, or "identity:NAME"`)
	flag.StringVar(&o.model, "model", "", "model (default: the backend's, gemini.DefaultModel or openai.DefaultModel)")
	flag.StringVar(&o.voice, "voice", "", "voice (default: the service's)")
	flag.StringVar(&o.system, "system", "You are a friendly voice assistant. Keep answers short and conversational.", "system instruction")
	flag.BoolVar(&o.offline, "offline", false, "answer with a local echo model instead of Gemini")
	flag.StringVar(&o.callerToken, "caller-token", "", "print a token that joins this room as a caller (and dispatches the agent), then exit")
	flag.Parse()

	// The SDK logs every connection state change to stderr by default.
	lksdk.SetLogger(protologger.GetDiscardLogger())
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o, os.Stdout, os.Stderr); err != nil && !errors.Is(err, context.Canceled) {
		fmt.Fprintln(os.Stderr, "livekit-agent:", err)
		os.Exit(1)
	}
}

// run is the whole program, minus flags and signals, so tests can run it.
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	if o.callerToken != "" {
		var agents []string
		if o.agentName != "" {
			agents = []string{o.agentName}
		}
		tok, err := livekit.NewToken(livekit.TokenConfig{Room: o.callerToken, Identity: "caller", Agents: agents})
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, tok)
		return nil
	}
	listen, err := listenPolicy(o.listen)
	if err != nil {
		return err
	}
	newStream, stop, err := newBackend(o, stderr)
	if err != nil {
		return err
	}
	defer stop()
	w := livekit.NewWorker(livekit.WorkerConfig{
		URL: o.url, AgentName: o.agentName, MaxJobs: o.maxJobs,
		Room: livekit.Config{Listen: listen},
		// Every job that failed, joining its room included.
		OnJobEnd: func(room string, err error) {
			if err != nil {
				fmt.Fprintf(stderr, "job in room %q failed: %v\n", room, err)
			}
		},
	}, func(ctx context.Context, room *livekit.Room) error {
		fmt.Fprintf(stderr, "joined room %q\n", room.Name())
		stream := newStream()
		defer stream.Close()
		defer fmt.Fprintf(stderr, "left room %q\n", room.Name())
		return room.Run(ctx, fullduplex.NewDuplexSession(stream))
	})
	fmt.Fprintf(stderr, "Serving agent %q (up to %d rooms); SIGTERM drains, Ctrl-C stops.\n", o.agentName, o.maxJobs)
	ran := make(chan struct{})
	printed := make(chan struct{})
	go func() {
		defer close(printed)
		select {
		case <-w.Registered():
			fmt.Fprintf(stderr, "Registered as worker %s.\n", w.ID())
		case <-ran:
			return
		}
		select {
		case <-w.Draining():
			fmt.Fprintf(stderr, "Draining: no new rooms; the %d in progress finish first.\n", w.Load().Jobs)
		case <-ran:
		}
	}()
	err = w.Run(ctx)
	close(ran)
	<-printed
	return err
}

func listenPolicy(s string) (livekit.ListenPolicy, error) {
	switch {
	case s == "first" || s == "":
		return livekit.FirstCaller(), nil
	case s == "all":
		return livekit.AllCallers(), nil
	case strings.HasPrefix(s, "identity:") && len(s) > len("identity:"):
		return livekit.Identity(strings.TrimPrefix(s, "identity:")), nil
	}
	return livekit.ListenPolicy{}, fmt.Errorf("unknown -listen %q: want first, all or identity:NAME", s)
}
