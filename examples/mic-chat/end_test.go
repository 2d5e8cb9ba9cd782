package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A short -in-wav (1.1 s, shorter than the echo model's turn-ending
// silence) ends with the file: one user turn, one answer, no phantom
// second turn from the silence after it, and mic-chat returns by itself.
func TestMicChatShortWAVEndsWithOneTurn(t *testing.T) {
	hello := readWAV(t, "../../testdata/hello.wav").Samples
	in := writeWAV(t, hello[:17600]) // 1.1 s
	out := filepath.Join(t.TempDir(), "answer.wav")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	o := defaults()
	o.offline, o.inWAV, o.outWAV = true, in, out
	t0 := time.Now()
	require.NoError(t, run(ctx, o, &stdout, &stderr))
	t.Logf("ran %v: %s", time.Since(t0), stdout.String())
	require.NoError(t, ctx.Err(), "mic-chat ended by itself")
	user, model := turns(stdout.String())
	assert.Equal(t, [2]int{1, 1}, [2]int{user, model}, "one user turn, one model turn: %s", stdout.String())
	assert.NotContains(t, stderr.String(), "Speak now")
	w := readWAV(t, out)
	assert.Less(t, w.Duration(), 4*time.Second, "no silence written on after the answer: %v", w.Duration())
}

// Ctrl-C is the normal way to end a conversation: mic-chat (the binary
// make chat runs) exits 0 on SIGINT.
func TestMicChatExitsZeroOnSIGINT(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "mic-chat")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	hello := readWAV(t, "../../testdata/hello.wav").Samples
	var long []int16
	for range 10 {
		long = append(long, hello...)
	}
	in := writeWAV(t, long) // 29 s: still playing when Ctrl-C comes
	cmd := exec.Command(bin, "-offline", "-in-wav", in, "-out-wav", filepath.Join(t.TempDir(), "out.wav"))
	var stderr syncBuffer
	var stdout bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !waitUntil(ctx, func() bool { return strings.Contains(stderr.String(), "Playing the file") }) {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("mic-chat did not start: %s", stderr.String())
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	require.NoError(t, err, "exit status after SIGINT; stderr: %s", stderr.String())
	assert.NotContains(t, stderr.String(), "mic-chat:", "no error printed")
}
