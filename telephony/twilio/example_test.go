package twilio_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

func ExampleStreamTwiML() {
	doc, _ := twilio.StreamTwiML{
		URL:        "wss://example.com/twilio/stream",
		Parameters: map[string]string{"customer": "42"},
	}.Marshal()
	fmt.Println(string(doc))
	// Output:
	// <?xml version="1.0" encoding="UTF-8"?>
	// <Response><Connect><Stream url="wss://example.com/twilio/stream"><Parameter name="customer" value="42"></Parameter></Stream></Connect></Response>
}

// A Handler serves each call; here Serve reads what the caller says until
// the caller hangs up. twiliotest plays Twilio.
func ExampleHandler() {
	frames := make(chan int, 1)
	srv := httptest.NewServer(&twilio.Handler{Serve: func(ctx context.Context, call *twilio.Call) error {
		n := 0
		for {
			if _, err := call.Next(ctx); err != nil {
				frames <- n
				return nil // io.EOF: the caller hung up
			}
			n++
		}
	}})
	defer srv.Close()

	client, err := twiliotest.Dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), twiliotest.Options{})
	if err != nil {
		fmt.Println(err)
		return
	}
	_ = client.SendAudio(make([]int16, 8000)) // 1 s of silence
	_ = client.Hangup()
	fmt.Println("frames from the caller:", <-frames)
	// Output:
	// frames from the caller: 50
}
