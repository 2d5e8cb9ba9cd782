package fullduplex_test

import (
	"context"
	"fmt"
	"strings"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func ExampleAudioSymbol() {
	pcm := make([]byte, 640) // 20 ms of 16-bit mono PCM at 16 kHz
	s := fd.AudioSymbol(pcm, 16000)
	fmt.Println(s.MIMEType, s.SampleRate(), s.Duration())
	// Output: audio/pcm;rate=16000 16000 20ms
}

func ExampleSymbol_Validate() {
	err := fd.AudioSymbol(make([]byte, 3), 16000).Validate()
	fmt.Println(err)
	// Output: fullduplex: invalid symbol: 3 bytes of 16-bit PCM with 1 channel(s) is not a whole number of frames
}

// A session sends what the source yields and prints what the model says.
func ExampleDuplexSession_RunDuplex() {
	stream := fullduplextest.NewFakeStream() // any DuplexStream, e.g. gemini.NewStream(cfg)
	stream.EmitAfterInput(                   // the answer to the first input turn
		fd.TextSymbol("Hello! "),
		fd.TextSymbol("How can I help?"),
		fd.NewEvent(fd.EventStreamEnd, nil),
	)

	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		if text, ok := s.TextValue(); ok {
			fmt.Print(text)
		}
		return nil
	}
	session.OnEvent = func(ctx context.Context, e fd.StreamEvent) error {
		fmt.Println("\n[" + e.Type + "]")
		return nil
	}
	input := fullduplextest.SliceSource(fd.TextSymbol("hi"))
	err := session.RunDuplex(context.Background(), input, nil)
	fmt.Println("err:", err)
	// Output:
	// Hello! How can I help?
	// [stream_end]
	// err: <nil>
}

// Tools are declared once; the session runs them while the conversation
// goes on and sends the results back.
func ExampleDuplexSession_AddTool() {
	ctx := context.Background()
	stream := fullduplextest.NewFakeStream()
	session := fd.NewDuplexSession(stream)
	_ = session.AddTool(fd.Tool{
		Name:        "get_time",
		Description: "The current time in a city",
		Parameters: map[string]any{
			"type":       "object",
			"properties": map[string]any{"city": map[string]any{"type": "string"}},
		},
		Handler: func(ctx context.Context, args map[string]any) (any, error) {
			return map[string]any{"time": "12:00", "city": args["city"]}, nil
		},
	})
	stream.EmitToolCall("call-1", "get_time", map[string]any{"city": "Lisbon"})

	done := make(chan error, 1)
	go func() { done <- session.RunDuplex(ctx, nil, nil) }()
	res, _ := stream.WaitToolResult(ctx, "call-1")
	stream.End()
	<-done
	fmt.Println(res.Name, res.Output)
	// Output: get_time map[city:Lisbon time:12:00]
}

// One line merges inputs and fans out outputs.
func ExampleMultiSink() {
	var transcript, log strings.Builder
	printer := func(b *strings.Builder) fd.Sink {
		return fd.SinkFunc(func(ctx context.Context, item fd.StreamItem) error {
			if s, ok := item.(fd.Symbol); ok {
				t, _ := s.TextValue()
				b.WriteString(t)
			}
			return nil
		})
	}
	stream := fullduplextest.NewFakeStream()
	stream.EmitAfterInput(fd.TextSymbol("bonjour"), fd.NewEvent(fd.EventStreamEnd, nil))
	typed := fullduplextest.SliceSource(fd.TextSymbol("hello"))
	mic := fullduplextest.SliceSource(fd.AudioSymbol(make([]byte, 640), 16000))
	err := fd.NewDuplexSession(stream).RunDuplex(context.Background(),
		fd.MergeSources(mic, typed), fd.MultiSink(printer(&transcript), printer(&log)))
	fmt.Println(err, transcript.String(), log.String(), len(stream.Sent()))
	// Output: <nil> bonjour bonjour 2
}

// ask is an agent that asks one question and returns the answer. It works
// unchanged on every backend: when its Source ends, RunDuplex closes the
// input (CloseSend) and returns once the model has answered.
func ask(ctx context.Context, stream fd.DuplexStream, question string) (string, error) {
	var answer strings.Builder
	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(_ context.Context, s fd.Symbol) error {
		if t, ok := s.TextValue(); ok && s.Role() != fd.RoleUser {
			answer.WriteString(t)
		}
		return nil
	}
	err := session.RunDuplex(ctx, fullduplextest.SliceSource(fd.TextSymbol(question)), nil)
	return answer.String(), err
}

// An agent that finishes: one question, one answer, on a fake model here
// and unchanged on gemini.NewStream or realtime.NewStream.
func ExampleSendCloser() {
	model := fullduplextest.NewFakeStream()
	model.EmitAfterInput(fd.TextSymbol("It is sunny."), fd.NewEvent(fd.EventStreamEnd, nil))
	answer, err := ask(context.Background(), model, "What is the weather?")
	fmt.Println(answer, err)
	// Output: It is sunny. <nil>
}

// MaxTurns ends a conversation after a number of answers while the input
// (a microphone, say) goes on.
func ExampleDuplexSession_maxTurns() {
	model := fullduplextest.NewFakeStream()
	model.EmitAfterInput(fd.TextSymbol("Hi!"), fd.NewEvent(fd.EventStreamEnd, nil))
	session := fd.NewDuplexSession(model)
	session.MaxTurns = 1
	session.OnSymbol = func(_ context.Context, s fd.Symbol) error {
		t, _ := s.TextValue()
		fmt.Println("model:", t)
		return nil
	}
	typed := make(chan fd.Symbol, 1)
	typed <- fd.TextSymbol("hello")
	input := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		select {
		case s := <-typed:
			return s, nil
		case <-ctx.Done(): // never ends by itself
			return fd.Symbol{}, ctx.Err()
		}
	})
	err := session.RunDuplex(context.Background(), input, nil)
	fmt.Println(err, model.Connected())
	// Output:
	// model: Hi!
	// <nil> true
}
