package livekit_test

import (
	"context"
	"fmt"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/livekit"
)

// Whom an agent listens to.
func ExampleListenPolicy() {
	for _, p := range []livekit.ListenPolicy{livekit.FirstCaller(), livekit.Identity("alice"), livekit.AllCallers()} {
		fmt.Println(p)
	}
	// Output:
	// first caller
	// identity alice
	// all callers
}

// A worker that serves every room it is dispatched to with the same agent.
// (Not run: it needs a LiveKit server; examples/livekit-agent is the whole
// program.)
func ExampleNewWorker() {
	w := livekit.NewWorker(livekit.WorkerConfig{AgentName: "echo", MaxJobs: 8},
		func(ctx context.Context, room *livekit.Room) error {
			stream := fullduplextest.NewFakeStream()
			defer stream.Close()
			return room.Run(ctx, fullduplex.NewDuplexSession(stream))
		})
	_ = w.Run(context.Background())
}
