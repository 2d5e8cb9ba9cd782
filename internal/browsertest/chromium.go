// Package browsertest finds the browser that the browser tests of web/ and
// livekit/ drive with chromedp.
package browsertest

import (
	"os"
	"os/exec"
	"testing"
)

// names are the executables tried, in order.
var names = []string{"chromium", "chromium-browser", "google-chrome"}

// Chromium returns the path of the first of chromium, chromium-browser and google-chrome on PATH. Without one it
// fails the test in CI (CI=true: .ci/packages.txt installs chromium) and
// skips it elsewhere, saying how to install it.
func Chromium(t testing.TB) string {
	t.Helper()
	if p, ok := lookPath(); ok {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found on PATH: CI installs it from .ci/packages.txt")
	}
	t.Skip("chromium not found on PATH (apt-get install chromium): skipping the browser test")
	return ""
}

func lookPath() (string, bool) {
	for _, name := range names {
		if p, err := exec.LookPath(name); err == nil {
			return p, true
		}
	}
	return "", false
}
