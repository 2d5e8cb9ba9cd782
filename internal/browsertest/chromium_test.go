package browsertest

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// The first name on PATH wins; with none, nothing is found.
func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("PATH", dir)
	_, ok := lookPath()
	assert.False(t, ok)
	for _, name := range []string{"google-chrome", "chromium-browser"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, ok := lookPath()
	assert.True(t, ok)
	assert.Equal(t, filepath.Join(dir, "chromium-browser"), got)
}
