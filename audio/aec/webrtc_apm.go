//go:build webrtcaec

package aec

/*
#cgo pkg-config: webrtc-audio-processing
#cgo CXXFLAGS: -std=c++11
#include "webrtc_apm.h"
*/
import "C"

import (
	"errors"
	"unsafe"
)

// webrtcAEC is WebRTC's echo canceller (AudioProcessing, 10 ms frames),
// built only with the webrtcaec tag for the comparison with speexdsp.
type webrtcAEC struct {
	a    *C.apm
	rate int
}

func newWebRTCAEC(rate, suppression int) (*webrtcAEC, error) {
	a := C.apm_new(C.int(rate), C.int(suppression))
	if a == nil {
		return nil, errors.New("aec: webrtc AudioProcessing not created")
	}
	return &webrtcAEC{a: a, rate: rate}, nil
}

// process cancels one 10 ms frame: far is what the speaker played then,
// near the microphone; delayMS the device delay hint.
func (w *webrtcAEC) process(far, near, out []int16, delayMS int) error {
	if rc := C.apm_process(w.a, (*C.short)(unsafe.Pointer(&far[0])), (*C.short)(unsafe.Pointer(&near[0])), (*C.short)(unsafe.Pointer(&out[0])), C.int(delayMS)); rc != 0 {
		return errors.New("aec: webrtc ProcessStream failed")
	}
	return nil
}

func (w *webrtcAEC) close() { C.apm_free(w.a) }
