package wavio_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fullduplex-go/fullduplex/audio/wavio"
)

// A WAV file as a microphone, and a WAV file as a speaker.
func Example() {
	src, err := wavio.OpenSource("../../testdata/hello.wav", wavio.SourceConfig{})
	if err != nil {
		fmt.Println(err)
		return
	}
	dir, _ := os.MkdirTemp("", "wavio")
	defer os.RemoveAll(dir)
	sink, err := wavio.CreateSink(filepath.Join(dir, "copy.wav"), wavio.SinkConfig{SampleRate: 16000})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()
	chunks := 0
	for {
		s, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		if err != nil {
			fmt.Println(err)
			return
		}
		chunks++
		if err := sink.Write(ctx, s); err != nil {
			fmt.Println(err)
			return
		}
	}
	if err := sink.Close(); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d chunks, %v; wrote %d samples\n", chunks, src.Duration(), sink.Written())
	// Output:
	// 146 chunks, 2.911625s; wrote 46586 samples
}
