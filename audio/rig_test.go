package audio

import (
	"strconv"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/audio/audiotest"
)

// The PulseAudio test rig (.ci/start-audio.sh), through package audiotest:
// null sinks "speaker" (the default sink) and "mic" (its monitor is the
// default source).

func requireRig(tb testing.TB) {
	tb.Helper()
	audiotest.RequireRig(tb)
}

func rigReachable() error { return audiotest.Reachable() }

type recording = audiotest.Recording

func record(tb testing.TB, source string, rate int) *recording {
	tb.Helper()
	return audiotest.Record(tb, source, rate)
}

// waitFor polls cond every 5 ms until it holds or timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return true
		}
		time.Sleep(5 * time.Millisecond)
	}
	return cond()
}

func itoa(n int) string { return strconv.Itoa(n) }
