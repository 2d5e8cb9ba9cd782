package geminiturn_test

import (
	"context"
	"fmt"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
)

// A Gemini turn model as a live stream, here against the fake server;
// against Google, leave BaseURL empty and set $GOOGLE_API_KEY.
func ExampleNew() {
	srv := geminiturntest.NewServer() // echoes
	defer srv.Close()
	model, err := geminiturn.New(geminiturn.Config{BaseURL: srv.URL(), APIKey: "fake-key", Model: "gemini-2.5-flash"})
	if err != nil {
		fmt.Println(err)
		return
	}
	stream := realtime.NewStream(model, realtime.Config{})
	defer stream.Close()

	session := fd.NewDuplexSession(stream)
	session.OnSymbol = func(ctx context.Context, s fd.Symbol) error {
		text, _ := s.TextValue()
		fmt.Print(text)
		return nil
	}
	typed := fullduplextest.SliceSource(fd.TextSymbol("hello, Gemini"))
	err = session.RunDuplex(context.Background(), typed, nil) // returns after the answer
	fmt.Println("\nerr:", err)
	// Output:
	// You said: hello, Gemini
	// err: <nil>
}
