package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/record"
)

// After each answer the chat prints its time to first token and the
// running cost; with -record the call is in a WAV and a JSON transcript.
func TestChatPrintsMetricsAndRecords(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	line := func(text string, at time.Time) fullduplex.Symbol {
		s := fullduplex.TextSymbol(text)
		s.Timestamp = at
		return s
	}
	answer := func(text string, at time.Time) fullduplex.Symbol {
		s := fullduplex.TextSymbol(text).WithMeta(fullduplex.MetaRole, fullduplex.RoleModel)
		s.Timestamp = at
		return s
	}
	fs := fullduplextest.NewFakeStream()
	fs.EmitAfterInput(answer("hello", t0.Add(250*time.Millisecond)),
		fullduplex.NewEvent(fullduplex.EventUsage, fullduplex.Usage{InputTokens: 1000, OutputTokens: 500}),
		fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))
	fs.EmitAfterInput(answer("again", t0.Add(2*time.Second+400*time.Millisecond)),
		fullduplex.NewEvent(fullduplex.EventUsage, fullduplex.Usage{InputTokens: 2000, OutputTokens: 500}),
		fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))

	dir := t.TempDir()
	obs := console.Observe{Record: filepath.Join(dir, "call.wav"), PriceIn: 1, PriceOut: 4}
	var log bytes.Buffer
	rec, stop, err := obs.Recorder(&log)
	require.NoError(t, err)
	var out bytes.Buffer
	typed := fullduplextest.SliceSource(line("hi", t0), line("hi again", t0.Add(2*time.Second)))
	sink := fullduplex.MultiSink(&console.Transcript{W: &out}, rec)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, chat(ctx, fs, rec.Source(typed), sink, obs.Metrics()))
	stop()

	assert.Equal(t, "model: hello\n"+
		"  [turn 1: first token 250ms, 1500 tokens, cost 0.0030 (total 0.0030)]\n"+
		"model: again\n"+
		"  [turn 2: first token 400ms, 2500 tokens, cost 0.0040 (total 0.0070)]\n"+
		"  [conversation: 2 turns, 0 interrupted (0 barge-ins), 4000 tokens, cost 0.0070]\n", out.String())
	assert.Contains(t, log.String(), "Recorded the call to")

	b, err := os.ReadFile(filepath.Join(dir, "call.json"))
	require.NoError(t, err)
	var tr record.Transcript
	require.NoError(t, json.Unmarshal(b, &tr), "%s", b)
	var said []string
	for _, e := range tr.Entries {
		if e.Type == "text" {
			said = append(said, e.Role+": "+e.Text)
		}
	}
	assert.ElementsMatch(t, []string{"user: hi", "user: hi again", "model: hello", "model: again"}, said, "each typed line and each answer")
}
