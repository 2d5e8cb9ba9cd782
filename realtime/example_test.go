package realtime_test

import (
	"context"
	"fmt"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
)

// A turn model becomes a live stream: each typed message completes a turn,
// and the answer streams back.
func ExampleNewStream() {
	ctx := context.Background()
	model := realtimetest.NewModel() // or openaicompat.New(...), geminiturn.New(...)
	model.Reply("Hello", ", Ada!")

	stream := realtime.NewStream(model, realtime.Config{})
	defer stream.Close()
	_ = stream.Connect(ctx)
	_ = stream.Send(ctx, fd.TextSymbol("Hi, I am Ada."))
	for {
		item, err := stream.Receive(ctx)
		if err != nil {
			fmt.Println(err)
			return
		}
		switch it := item.(type) {
		case fd.Symbol:
			text, _ := it.TextValue()
			turn, _ := it.Turn()
			fmt.Printf("%s (turn %d): %q\n", it.Role(), turn, text)
		case fd.StreamEvent:
			fmt.Println("[" + it.Type + "]")
			if it.Type == fd.EventStreamEnd {
				return
			}
		}
	}
	// Output:
	// [connected]
	// model (turn 1): "Hello"
	// model (turn 1): ", Ada!"
	// [stream_end]
}

// Barge-in: the answer is cut off, and only what was received enters the
// conversation.
func ExampleStream_InterruptOutput() {
	ctx := context.Background()
	model := realtimetest.NewModel()
	model.ReplyAndHang("Once upon a time", " there was")

	stream := realtime.NewStream(model, realtime.Config{})
	defer stream.Close()
	_ = stream.Connect(ctx)
	_, _ = stream.Receive(ctx) // connected
	_ = stream.Send(ctx, fd.TextSymbol("Tell me a story."))
	first, _ := stream.Receive(ctx)
	fmt.Println(first)
	_ = stream.InterruptOutput(ctx)
	ev, _ := stream.Receive(ctx)
	fmt.Println(ev.(fd.StreamEvent).Type)
	for _, turn := range stream.History() {
		fmt.Printf("%s: %s\n", turn.Role, turn.Text())
	}
	// Output:
	// text "Once upon a time"
	// interrupt
	// user: Tell me a story.
	// model: Once upon a time
}

// The same application code runs over a DuplexSession, as over the Live API.
func ExampleStream_session() {
	ctx := context.Background()
	stream := realtime.NewStream(realtimetest.NewModel(), realtime.Config{}) // echoes
	defer stream.Close()

	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		text, _ := s.TextValue()
		fmt.Println(text)
		return nil
	}
	typed := fullduplextest.SliceSource(fd.TextSymbol("ping"))
	// At the end of the input the stream answers, then ends.
	fmt.Println(session.RunDuplex(ctx, realtime.CloseSendAtEOF(stream, typed), nil))
	// Output:
	// You said: ping
	// <nil>
}
