package audiotest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The sinks of the rig.
const (
	Speaker = "speaker" // the default sink: what programs play
	Mic     = "mic"     // its monitor is the default source: what programs hear
)

// HowTo says how to start the rig; skip and failure messages include it.
const HowTo = "no PulseAudio test rig (null sinks \"speaker\" and \"mic\") is reachable; " +
	"start one with `bash .ci/start-audio.sh` (Debian: needs pulseaudio, pulseaudio-utils, libasound2-plugins, portaudio19-dev)"

// Lock is the file a test process holds (flock) while it uses the rig, so
// that test packages run in parallel by go test take turns: the sinks are
// shared, and a tone or an echo loop of one test would reach another. The
// lock is released when the process exits.
const Lock = "/tmp/fullduplex-pulse/rig.lock"

// RequireRig skips tb when the rig is not running, except in CI (CI=true),
// where it fails; then it takes the rig's lock for the rest of the test
// process. Safe from any goroutine.
func RequireRig(tb testing.TB) {
	tb.Helper()
	if err := reachable(); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s: %v", HowTo, err)
		}
		tb.Skipf("%s: %v", HowTo, err)
	}
	if err := lock(); err != nil {
		tb.Fatalf("lock the audio rig: %v", err)
	}
}

var (
	lockOnce sync.Once
	lockErr  error
	lockFile *os.File // held for the life of the test binary
)

func lock() error {
	lockOnce.Do(func() {
		if err := os.MkdirAll("/tmp/fullduplex-pulse", 0o755); err != nil {
			lockErr = err
			return
		}
		f, err := os.OpenFile(Lock, os.O_CREATE|os.O_RDWR, 0o666)
		if err != nil {
			lockErr = err
			return
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX); err != nil {
			f.Close()
			lockErr = err
			return
		}
		lockFile = f
	})
	return lockErr
}

var (
	reachOnce sync.Once
	reachErr  error
)

// Reachable reports why the rig cannot be used, or nil when it can.
func Reachable() error { return reachable() }

func reachable() error {
	reachOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "pactl", "list", "short", "sinks").Output()
		if err != nil {
			reachErr = err
			return
		}
		for _, want := range []string{Speaker, Mic} {
			found := false
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Fields(line); len(f) > 1 && f[1] == want {
					found = true
				}
			}
			if !found {
				reachErr = errors.New("sink " + want + " missing")
				return
			}
		}
	})
	return reachErr
}

// Play speaks the WAV file at path into sink (usually Mic) and returns when
// it has played, or ctx is done.
func Play(ctx context.Context, sink, path string) error {
	return exec.CommandContext(ctx, "paplay", "--device="+sink, path).Run()
}

// Loopback plays the speaker into the microphone until stop is called or
// the test ends, at volume (1 is 0 dB; PulseAudio's cubic scale: 0.79 is
// about -6 dB): loudspeakers the microphone hears. It needs RequireRig
// first. stop is idempotent.
func Loopback(tb testing.TB, volume float64) (stop func()) {
	tb.Helper()
	out, err := exec.Command("pactl", "load-module", "module-loopback", "source="+Speaker+".monitor", "sink="+Mic,
		"latency_msec=20", "adjust_time=0", "source_dont_move=true", "sink_dont_move=true").Output()
	if err != nil {
		tb.Fatalf("audiotest: load module-loopback: %v", err)
	}
	idx := strings.TrimSpace(string(out))
	var once sync.Once
	stop = func() { once.Do(func() { _ = exec.Command("pactl", "unload-module", idx).Run() }) }
	tb.Cleanup(stop)
	if volume != 1 {
		list, err := exec.Command("pactl", "list", "short", "sink-inputs").Output()
		if err != nil {
			tb.Fatalf("audiotest: list sink inputs: %v", err)
		}
		for _, line := range strings.Split(string(list), "\n") {
			if f := strings.Fields(line); len(f) > 2 && f[1] == idx {
				vol := strconv.Itoa(int(volume*100+0.5)) + "%"
				if err := exec.Command("pactl", "set-sink-input-volume", f[0], vol).Run(); err != nil {
					tb.Fatalf("audiotest: loopback volume: %v", err)
				}
			}
		}
	}
	time.Sleep(200 * time.Millisecond) // the loop's buffer fills
	return stop
}
