package fullduplextest_test

import (
	"context"
	"fmt"
	"strings"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// shout is the application under test: it uppercases what the model says.
func shout(ctx context.Context, stream fd.DuplexStream, question string) (string, error) {
	var out strings.Builder
	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		t, _ := s.TextValue()
		out.WriteString(strings.ToUpper(t))
		return nil
	}
	err := session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol(question)), nil)
	return out.String(), err
}

// The test plays the model: it scripts what the model says and checks what
// the application sent.
func ExampleFakeStream() {
	ctx := context.Background()
	model := fullduplextest.NewFakeStream()
	// The answer to the application's first input turn.
	model.EmitAfterInput(fd.TextSymbol("it is sunny"), fd.NewEvent(fd.EventStreamEnd, nil))

	answer, err := shout(ctx, model, "weather?")

	sent := model.Sent()
	q, _ := sent[0].TextValue()
	fmt.Println(answer, err)
	fmt.Println("sent:", q, "input closed:", model.InputClosed())
	// Output:
	// IT IS SUNNY <nil>
	// sent: weather? input closed: true
}

// Barge-in: the speaker is flushed the moment the model is interrupted, and
// audio still arriving from the interrupted turn never reaches it.
func ExampleFakeStream_bargeIn() {
	ctx := context.Background()
	model := fullduplextest.NewFakeStream()
	pcm := make([]byte, 960) // 20 ms at 24 kHz
	model.EmitAudio(pcm, 24000, 1)
	model.EmitEvent(fd.EventInterrupt, nil) // the user talked over the model
	model.EmitAudio(pcm, 24000, 1)          // late audio of turn 1: dropped
	model.EmitAudio(pcm, 24000, 2)          // the answer to the interruption
	model.End()

	var speaker fullduplextest.Recorder
	_ = fd.NewDuplexSession(model).RunDuplex(ctx, nil, &speaker)
	for _, item := range speaker.Items() {
		switch it := item.(type) {
		case fd.Symbol:
			turn, _ := it.Turn()
			fmt.Println("audio of turn", turn)
		case fd.StreamEvent:
			fmt.Println(it.Type)
		}
	}
	fmt.Println("flushes:", speaker.Flushes())
	// Output:
	// audio of turn 1
	// interrupt
	// audio of turn 2
	// flushes: 1
}

// A unit test of a tool: the model calls it, the test waits for the result.
func ExampleFakeStream_WaitToolResult() {
	ctx := context.Background()
	model := fullduplextest.NewFakeStream()
	session := fd.NewDuplexSession(model)
	_ = session.AddTool(fd.Tool{Name: "add", Handler: func(ctx context.Context, args map[string]any) (any, error) {
		return args["a"].(float64) + args["b"].(float64), nil
	}})
	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, nil, nil) }()

	model.EmitToolCall("1", "add", map[string]any{"a": 2.0, "b": 3.0})
	res, err := model.WaitToolResult(ctx, "1")
	model.End()
	fmt.Println(res.Output, err, <-done)
	// Output: 5 <nil> <nil>
}
