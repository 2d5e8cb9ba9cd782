package gemini_test

import (
	"errors"
	"reflect"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

// Model audio with half a sample is repaired (its last byte dropped) and
// reported; no symbol the stream emits fails Validate, and the stream goes
// on.
func TestOddModelAudioIsRepairedAndReported(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	pcm := geminitest.Tone(300, 24000, 20)
	require.NoError(t, c.SendAudio(append(pcm[:len(pcm):len(pcm)], 0x7f), 24000))
	require.NoError(t, c.SendAudio([]byte{1}, 24000)) // nothing left after the repair
	require.NoError(t, c.SendAudio(pcm, 24000))
	require.NoError(t, c.SendTurnComplete())

	var audio [][]byte
	errs := 0
	for {
		it := next(t, st)
		if s, ok := it.(fullduplex.Symbol); ok {
			require.NoError(t, s.Validate(), "every symbol the stream emits is valid")
			audio = append(audio, s.Data)
			continue
		}
		ev := it.(fullduplex.StreamEvent)
		if ev.Type == fullduplex.EventStreamEnd {
			break
		}
		require.Equal(t, fullduplex.EventError, ev.Type)
		var fe *gemini.FrameError
		require.True(t, errors.As(ev.Data.(error), &fe))
		assert.ErrorIs(t, fe, fullduplex.ErrInvalidSymbol)
		errs++
	}
	assert.Equal(t, 2, errs, "each odd chunk is reported")
	assert.Equal(t, [][]byte{pcm, pcm}, audio, "the whole samples are kept, the stream goes on")
}

// The audio chunks of one turn share one read-only metadata map; the next
// turn gets its own.
func TestModelAudioMetadataIsPerTurn(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	pcm := geminitest.Tone(300, 24000, 20)
	var metas []map[string]any
	for range 2 {
		for range 2 {
			require.NoError(t, c.SendAudio(pcm, 24000))
		}
		require.NoError(t, c.SendTurnCompleteUsage(&genai.UsageMetadata{TotalTokenCount: 1}))
		for range 2 {
			metas = append(metas, symbol(t, next(t, st)).Metadata)
		}
		eventOf(t, next(t, st), fullduplex.EventUsage)
		eventOf(t, next(t, st), fullduplex.EventStreamEnd)
	}
	same := func(a, b map[string]any) bool {
		return reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer()
	}
	assert.True(t, same(metas[0], metas[1]), "one map per turn")
	assert.False(t, same(metas[1], metas[2]), "a new map for the next turn")
	assert.Equal(t, 0, metas[1][fullduplex.MetaTurn])
	assert.Equal(t, 1, metas[2][fullduplex.MetaTurn])
	assert.Equal(t, map[string]any{fullduplex.MetaSampleRate: 24000, fullduplex.MetaChannels: 1, fullduplex.MetaRole: fullduplex.RoleModel, fullduplex.MetaTurn: 1}, metas[3])
}
