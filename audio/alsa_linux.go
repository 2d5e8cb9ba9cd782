package audio

/*
#cgo pkg-config: alsa
#include <alsa/asoundlib.h>

static void fd_alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {
	(void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static void fd_alsa_silence(void) { snd_lib_error_set_handler(fd_alsa_quiet); }
*/
import "C"

import (
	"os"
	"sync"
)

var alsaOnce sync.Once

// quietALSA stops alsa-lib from printing its messages ("underrun
// occurred", device probing) on stderr for the life of the process, unless
// FULLDUPLEX_PORTAUDIO_STDERR=1. A terminal program's transcript is not the
// place for them; PortAudio reports real failures as errors.
func quietALSA() {
	alsaOnce.Do(func() {
		if os.Getenv("FULLDUPLEX_PORTAUDIO_STDERR") == "" {
			C.fd_alsa_silence()
		}
	})
}
