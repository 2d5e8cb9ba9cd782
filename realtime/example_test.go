package realtime_test

import (
	"context"
	"fmt"
	"strings"

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

// ask is an agent that asks one question and returns the answer. It is
// written against fullduplex.DuplexStream only, so it works unchanged on a
// realtime stream, on fullduplextest.FakeStream and on Gemini Live: when
// the source of typed input ends, the session closes the stream's input
// (CloseSend), the stream answers, and RunDuplex returns nil after that
// answer.
func ask(ctx context.Context, stream fd.DuplexStream, question string) (string, error) {
	var answer strings.Builder
	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		if text, ok := s.TextValue(); ok && s.Role() == fd.RoleModel {
			answer.WriteString(text)
		}
		return nil
	}
	err := session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol(question)), nil)
	return answer.String(), err
}

// An agent's ask over a turn model: the same function runs over any
// backend.
func Example_ask() {
	model := realtimetest.NewModel() // or openaicompat.New(...), geminiturn.New(...)
	model.Reply("Four", ".")
	stream := realtime.NewStream(model, realtime.Config{})
	defer stream.Close()

	answer, err := ask(context.Background(), stream, "What is two plus two?")
	fmt.Printf("%q %v\n", answer, err)
	// Output:
	// "Four." <nil>
}

// Lines typed ahead of the answers (pasted at once) are answered one by
// one, in order: none cuts off the answer before it.
func ExampleStream_typedAhead() {
	ctx := context.Background()
	stream := realtime.NewStream(realtimetest.NewModel(), realtime.Config{}) // echoes
	defer stream.Close()
	_ = stream.Connect(ctx)
	for _, line := range []string{"hello", "second line", "third"} {
		_ = stream.Send(ctx, fd.TextSymbol(line))
	}
	_ = stream.CloseSend(ctx)
	for item, err := range fd.Items(ctx, stream) {
		if err != nil {
			fmt.Println(err)
			return
		}
		switch it := item.(type) {
		case fd.Symbol:
			text, _ := it.TextValue()
			fmt.Print(text)
		case fd.StreamEvent:
			fmt.Println(" [" + it.Type + "]")
		}
	}
	// Output:
	//  [connected]
	// You said: hello [stream_end]
	// You said: second line [stream_end]
	// You said: third [stream_end]
}
