package audio_test

import (
	"context"
	"fmt"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio"
	"github.com/fullduplex-go/fullduplex/audio/aec"
	"github.com/fullduplex-go/fullduplex/gemini"
)

// List the devices, as mic-chat's -list-devices does.
func ExampleDevices() {
	devs, err := audio.Devices()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range devs {
		fmt.Println(d)
	}
}

// Talk to Gemini with the default microphone and speaker, with barge-in and
// echo cancellation for loudspeakers.
func ExampleRun() {
	stream := gemini.NewStream(gemini.Config{}) // the key from $GOOGLE_API_KEY
	defer stream.Close()
	session := fullduplex.NewDuplexSession(stream)
	err := audio.Run(context.Background(), session, audio.Config{
		Filter: aec.Filter(aec.Config{}), // omit with headphones
	})
	if err != nil {
		fmt.Println(err)
	}
}
