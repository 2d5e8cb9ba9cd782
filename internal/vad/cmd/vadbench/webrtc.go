//go:build webrtcvad

package main

// WebRTC's VAD from Debian's libwebrtc-audio-processing1 (the .so exports
// the VAD functions; no header is installed, so they are declared here).
// For side-by-side measurement only: the library itself is pure Go.

/*
#cgo LDFLAGS: -l:libwebrtc_audio_processing.so.1
#include <stddef.h>
#include <stdint.h>
typedef struct WebRtcVadInst VadInst;
VadInst* WebRtcVad_Create(void);
void WebRtcVad_Free(VadInst* handle);
int WebRtcVad_Init(VadInst* handle);
int WebRtcVad_set_mode(VadInst* handle, int mode);
int WebRtcVad_Process(VadInst* handle, int fs, const int16_t* audio_frame, size_t frame_length);
*/
import "C"

import (
	"errors"
	"fmt"
	"unsafe"

	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
)

func init() {
	for mode := range 4 {
		detectors = append(detectors, detector{fmt.Sprintf("webrtc-mode%d", mode), webrtc(mode)})
	}
}

func webrtc(mode int) func(int) (vadeval.FrameFunc, func(), error) {
	return func(rate int) (vadeval.FrameFunc, func(), error) {
		h := C.WebRtcVad_Create()
		if h == nil {
			return nil, nil, errors.New("WebRtcVad_Create failed")
		}
		if C.WebRtcVad_Init(h) != 0 || C.WebRtcVad_set_mode(h, C.int(mode)) != 0 {
			C.WebRtcVad_Free(h)
			return nil, nil, errors.New("WebRtcVad_Init/set_mode failed")
		}
		judge := func(f []int16) (bool, error) {
			r := C.WebRtcVad_Process(h, C.int(rate), (*C.int16_t)(unsafe.Pointer(&f[0])), C.size_t(len(f)))
			if r < 0 {
				return false, fmt.Errorf("WebRtcVad_Process: %d", int(r))
			}
			return r == 1, nil
		}
		return judge, func() { C.WebRtcVad_Free(h) }, nil
	}
}
