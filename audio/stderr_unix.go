//go:build linux || darwin || freebsd || netbsd || openbsd

package audio

import (
	"os"
	"syscall"
)

// withStderrSilenced runs f with file descriptor 2 pointing at /dev/null and
// restores it afterwards. Anything the process writes to stderr meanwhile
// (from C or Go) is lost, so f must be short. Set the environment variable
// FULLDUPLEX_PORTAUDIO_STDERR=1 to see the messages (debugging a device).
func withStderrSilenced(f func()) {
	if os.Getenv("FULLDUPLEX_PORTAUDIO_STDERR") != "" {
		f()
		return
	}
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		f()
		return
	}
	defer null.Close()
	saved, err := syscall.Dup(2)
	if err != nil {
		f()
		return
	}
	defer syscall.Close(saved)
	if dup2(int(null.Fd()), 2) != nil {
		f()
		return
	}
	defer dup2(saved, 2) //nolint:errcheck // nothing better to do
	f()
}
