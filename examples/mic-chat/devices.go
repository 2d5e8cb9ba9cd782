package main

import (
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex/audio"
)

// listDevices prints the audio devices -in and -out can name.
func listDevices(w io.Writer) error {
	devs, err := audio.Devices()
	if err != nil {
		return err
	}
	if len(devs) == 0 {
		fmt.Fprintln(w, "No audio devices. On a machine without a sound card, start a virtual one: bash .ci/start-audio.sh")
		return nil
	}
	for _, d := range devs {
		fmt.Fprintln(w, d)
	}
	return nil
}
