package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// writeWAV writes 16 kHz mono samples to dir/name.
func writeWAV(t *testing.T, dir, name string, samples []int16) {
	f, err := os.Create(filepath.Join(dir, name))
	require.NoError(t, err)
	require.NoError(t, pcm.WriteWAV(f, samples, 16000, 1))
	require.NoError(t, f.Close())
}

// The command scores every detector on every condition of a corpus laid
// out as gen-corpus.sh writes it (here: the committed utterances and Go
// noise, to stay fast and need no espeak-ng).
func TestRun(t *testing.T) {
	dir := t.TempDir()
	for i, name := range []string{"utt02.wav", "utt10.wav"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "testdata", name))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, "utt0"+string(rune('1'+i))+".wav"), data, 0o644))
	}
	writeWAV(t, dir, "white.wav", pcm.AppendNoise(nil, 0.1, 160000, 1))
	writeWAV(t, dir, "brown.wav", vadeval.BrownNoise(160000, 0.1, 1))

	var out, log bytes.Buffer
	require.NoError(t, run(&out, &log, dir, "gmm,energy*", true))
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	assert.Contains(t, lines[0], "corpus: 2 utterances")
	rows := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "| gmm |") || strings.HasPrefix(l, "| energy") {
			rows++
		}
	}
	assert.Equal(t, 3*len(conditions), rows, "gmm, energy and energy+hp80 on every condition:\n%s", out.String())
	assert.Contains(t, out.String(), "| gmm | white 0 dB |")

	require.ErrorContains(t, run(&out, &log, t.TempDir(), "", false), "utt01.wav")
}
