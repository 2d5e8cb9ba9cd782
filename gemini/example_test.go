package gemini_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"google.golang.org/genai"
)

// A text conversation with the fake server's echo model; with a real API key
// drop BaseURL and APIKey (the key then comes from $GOOGLE_API_KEY).
func Example_text() {
	srv := geminitest.NewServer(geminitest.Options{Echo: true})
	defer srv.Close()

	stream := gemini.NewStream(gemini.Config{
		BaseURL:            srv.URL(),
		APIKey:             srv.APIKey(),
		ResponseModalities: []genai.Modality{genai.ModalityText},
	})
	defer stream.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := stream.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	if err := stream.Send(ctx, fullduplex.TextSymbol("Hello, Gemini")); err != nil {
		fmt.Println(err)
		return
	}
	for item, err := range fullduplex.Items(ctx, stream) {
		if err != nil {
			fmt.Println(err)
			return
		}
		switch it := item.(type) {
		case fullduplex.Symbol:
			text, _ := it.TextValue()
			fmt.Println(it.Role()+":", text)
		case fullduplex.StreamEvent:
			if it.Type == fullduplex.EventStreamEnd {
				fmt.Println("(turn complete)")
				return
			}
		}
	}
	// Output:
	// model: echo: Hello, Gemini
	// (turn complete)
}

// A spoken turn: 16 kHz audio goes up, 24 kHz audio and both transcripts
// come back.
func Example_audio() {
	srv := geminitest.NewServer(geminitest.Options{Echo: true})
	defer srv.Close()

	stream := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	defer stream.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := stream.Connect(ctx); err != nil {
		fmt.Println(err)
		return
	}
	for range 25 { // half a second in 20 ms chunks
		chunk := fullduplex.AudioSymbol(geminitest.Tone(220, 16000, 20), 16000)
		if err := stream.Send(ctx, chunk); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := stream.SendEnd(ctx); err != nil { // the user stopped talking
		fmt.Println(err)
		return
	}
	var played time.Duration
	for item, err := range fullduplex.Items(ctx, stream) {
		if err != nil {
			fmt.Println(err)
			return
		}
		switch it := item.(type) {
		case fullduplex.Symbol:
			if it.Modality == fullduplex.ModalityAudio {
				played += it.Duration()
				continue
			}
			text, _ := it.TextValue()
			fmt.Printf("%s transcript: %s\n", it.Role(), text)
		case fullduplex.StreamEvent:
			if it.Type == fullduplex.EventStreamEnd {
				fmt.Println("model audio:", played)
				return
			}
		}
	}
	// Output:
	// user transcript: [500 ms of audio]
	// model transcript: echo: [500 ms of audio]
	// model audio: 500ms
}
