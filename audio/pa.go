package audio

/*
#cgo pkg-config: portaudio-2.0
#cgo LDFLAGS: -lm
#include "fdpa.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
)

// Errors. Returned errors wrap them; test with errors.Is.
var (
	// ErrNoDevice: no device matches the selector, or the system has no
	// default device of the kind asked for.
	ErrNoDevice = errors.New("audio: no such device")
	// ErrDevice: PortAudio could not open or start the device (busy, an
	// unsupported rate or channel count, the audio server went away).
	// The PortAudio error is wrapped as well.
	ErrDevice = errors.New("audio: device failed")
	// ErrDeviceLost: an open device stopped calling back (it was unplugged,
	// or the audio server died). The Microphone's Next or the Speaker's
	// Write returns it, so a session ends instead of hanging.
	ErrDeviceLost = errors.New("audio: device stopped responding")
	// ErrClosed is returned by Speaker.Write after Close.
	ErrClosed = errors.New("audio: closed")
)

// A PortAudioError is an error code from PortAudio, with its text.
type PortAudioError struct {
	Code int
	Text string
}

// Error returns PortAudio's text and code.
func (e *PortAudioError) Error() string { return fmt.Sprintf("portaudio: %s (%d)", e.Text, e.Code) }

func paError(code C.PaError) error {
	if code >= 0 {
		return nil
	}
	return &PortAudioError{Code: int(code), Text: C.GoString(C.fd_error_text(code))}
}

// paMu serialises every PortAudio call outside the callbacks (PortAudio's
// API is not thread-safe); paUsers counts initialisations.
var (
	paMu    sync.Mutex
	paUsers int
)

// acquireLocked initialises PortAudio for one more user (reference
// counted); paMu must be held. PortAudio's host APIs print start-up noise
// (ALSA's device probing, JACK's "cannot connect to server"): their
// libraries' own error handlers silence it (quietHostAPIs), so the
// process's stderr stays as it is: a panic or a log line of another
// goroutine meanwhile is not lost.
func acquireLocked() error {
	if paUsers > 0 {
		paUsers++
		return nil
	}
	quietHostAPIs()
	if testDuringInit != nil {
		testDuringInit()
	}
	code := C.Pa_Initialize()
	if err := paError(code); err != nil {
		return fmt.Errorf("%w: initialise PortAudio: %w", ErrDevice, err)
	}
	paUsers = 1
	return nil
}

// testDuringInit, if set by a test, runs just before Pa_Initialize.
var testDuringInit func()

// releaseLocked undoes one acquireLocked; the last one terminates PortAudio.
func releaseLocked() {
	if paUsers <= 0 {
		return
	}
	paUsers--
	if paUsers == 0 {
		C.Pa_Terminate()
	}
}
