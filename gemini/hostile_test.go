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

// A server message over Config.MaxFrameSize is refused at its header: the
// stream reports a *FrameTooLargeError, reconnects (gorilla cannot skip a
// message it has begun), and goes on.
func TestOversizedFrameIsRefusedAndTheStreamGoesOn(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{MaxFrameSize: 64 << 10})
	ctx := waitCtx(t)
	small := geminitest.Tone(300, 24000, 40)
	require.NoError(t, c0.SendAudio(small, 24000))
	_ = c0.SendAudio(make([]byte, 100<<10), 24000) // ~133 KiB of JSON: over the limit
	var sawErr bool
	for {
		it := next(t, st)
		if s, ok := it.(fullduplex.Symbol); ok {
			assert.Equal(t, small, s.Data, "the frame before the big one is delivered; the big one is not")
			continue
		}
		ev := it.(fullduplex.StreamEvent)
		if ev.Type == fullduplex.EventError {
			var tl *gemini.FrameTooLargeError
			require.ErrorAs(t, ev.Data.(error), &tl)
			assert.Equal(t, 64<<10, tl.Limit)
			assert.Contains(t, tl.Error(), "MaxFrameSize")
			sawErr = true
			continue
		}
		require.Equal(t, fullduplex.EventReconnect, ev.Type, "got %v", ev)
		info := ev.Data.(gemini.ReconnectInfo)
		var tl *gemini.FrameTooLargeError
		assert.ErrorAs(t, info.Err, &tl)
		assert.True(t, info.Resumed)
		break
	}
	assert.True(t, sawErr)
	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, c1.SendText("still here"))
	txt, _ := symbol(t, next(t, st)).TextValue()
	assert.Equal(t, "still here", txt)
}
