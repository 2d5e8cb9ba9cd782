package audio

/*
#cgo pkg-config: alsa
#cgo LDFLAGS: -ldl
#include <dlfcn.h>
#include <alsa/asoundlib.h>

static void fd_alsa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {
	(void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static void fd_jack_quiet(const char *msg) { (void)msg; }

typedef void (*fd_jack_setter)(void (*)(const char *));

// fd_quiet installs silent error handlers in alsa-lib and, if PortAudio
// brought libjack into the process, in libjack (looked up at run time:
// neither PortAudio nor this package links against it).
static void fd_quiet(void) {
	snd_lib_error_set_handler(fd_alsa_quiet);
	const char *names[] = {"jack_set_error_function", "jack_set_info_function"};
	for (int i = 0; i < 2; i++) {
		fd_jack_setter set = (fd_jack_setter)dlsym(RTLD_DEFAULT, names[i]);
		if (set) set(fd_jack_quiet);
	}
}
*/
import "C"

import (
	"os"
	"sync"
)

var quietOnce sync.Once

// quietHostAPIs stops alsa-lib and libjack from printing their messages
// ("underrun occurred", device probing, "jack server is not running") on
// stderr for the life of the process, unless FULLDUPLEX_PORTAUDIO_STDERR=1.
// A terminal program's transcript is not the place for them; PortAudio
// reports real failures as errors. The process's stderr itself is never
// touched.
func quietHostAPIs() {
	quietOnce.Do(func() {
		if os.Getenv("FULLDUPLEX_PORTAUDIO_STDERR") == "" {
			C.fd_quiet()
		}
	})
}
