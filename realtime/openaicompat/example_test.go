package openaicompat_test

import (
	"context"
	"fmt"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
)

// A local model as a live stream. Here the "local model" is the fake
// server; with llama.cpp, run `llama-server -m model.gguf` and leave
// BaseURL empty (http://127.0.0.1:8080/v1).
func ExampleNew() {
	srv := openaicompattest.NewServer() // echoes
	defer srv.Close()

	model := openaicompat.New(openaicompat.Config{BaseURL: srv.URL()})
	stream := realtime.NewStream(model, realtime.Config{})
	defer stream.Close()

	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		text, _ := s.TextValue()
		fmt.Print(text)
		return nil
	}
	session.OnEvent = func(ctx context.Context, e fd.StreamEvent) error {
		if e.Type == fd.EventStreamEnd {
			fmt.Println()
		}
		return nil
	}
	typed := fullduplextest.SliceSource(fd.TextSymbol("hello, local model"))
	err := session.RunDuplex(context.Background(), typed, nil) // returns after the answer
	fmt.Println("err:", err)
	// Output:
	// You said: hello, local model
	// err: <nil>
}
