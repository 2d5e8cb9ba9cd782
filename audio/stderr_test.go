package audio

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// PortAudio's initialisation leaves the process's stderr alone: a Go
// write to it while PortAudio initialises (a panic trace or a log line of
// another goroutine) is not lost, and the host APIs' start-up noise (ALSA
// probing, JACK's "cannot connect to server") is still not printed. The
// check runs in a child process, whose stderr is the test's to read, so
// that PortAudio is initialised there for the first time.
func TestStderrStaysVisibleDuringInit(t *testing.T) {
	if os.Getenv("FULLDUPLEX_STDERR_CHILD") == "1" {
		testDuringInit = func() { fmt.Fprintln(os.Stderr, "go-write-during-init") }
		paMu.Lock()
		err := acquireLocked()
		if err == nil {
			releaseLocked()
		}
		paMu.Unlock()
		fmt.Fprintln(os.Stderr, "init-done", err)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestStderrStaysVisibleDuringInit$", "-test.count=1")
	cmd.Env = append(os.Environ(), "FULLDUPLEX_STDERR_CHILD=1", "FULLDUPLEX_PORTAUDIO_STDERR=")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run())
	out := stderr.String()
	assert.Contains(t, out, "go-write-during-init", "a write to stderr during PortAudio's initialisation is visible")
	assert.Contains(t, out, "init-done <nil>")
	for _, noise := range []string{"ALSA lib", "jack server", "Cannot connect to server", "JackShm"} {
		assert.NotContains(t, out, noise, "host API noise on stderr")
	}
}
