package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// -backend openai, headless and offline: the question in the WAV file
// reaches the local OpenAI Realtime echo model, whose spoken answer lands
// in the output file and whose transcript prints as "openai:".
func TestMicChatOpenAIWAVFiles(t *testing.T) {
	hello := readWAV(t, "../../testdata/hello.wav")
	in := writeWAV(t, pcm.AppendSilence(append([]int16(nil), hello.Samples...), 24000))
	out := filepath.Join(t.TempDir(), "answer.wav")
	var stdout, stderr syncBuffer
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	require.NoError(t, run(ctx, options{backend: "openai", offline: true, inWAV: in, outWAV: out, duration: 8 * time.Second}, &stdout, &stderr))
	assert.Equal(t, 1, strings.Count(stdout.String(), "openai: "), "one model turn: %s", stdout.String())
	assert.Zero(t, strings.Count(stdout.String(), "gemini: "))
	// The service's voice detection ended the turn and the real-time file
	// reports playback: the turn's metrics give time to first audio played.
	assert.Regexp(t, `\[turn 1: .*first audio \d+ms, played \d+ms`, stdout.String())
	w := readWAV(t, out)
	assert.InDelta(t, 2.4, voicedAt(w.Samples, w.SampleRate).Seconds(), 0.9, "the answer in the file is as long as the question")
}

func TestMicChatUnknownBackend(t *testing.T) {
	err := run(context.Background(), options{backend: "parrot", offline: true}, &syncBuffer{}, &syncBuffer{})
	require.ErrorContains(t, err, `unknown -backend "parrot"`)
}
