package gemini_test

import (
	"context"
	"sync"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

func TestUplinkMapping(t *testing.T) {
	_, st, c := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	pcm := geminitest.Tone(440, 16000, 20)

	// Audio: realtime input with the MIME type always set, even when the
	// symbol has none (its rate comes from the metadata).
	sym := fullduplex.AudioSymbol(pcm, 16000)
	sym.MIMEType = ""
	require.NoError(t, st.Send(ctx, sym))
	m, err := c.WaitFor(ctx, geminitest.IsAudio)
	require.NoError(t, err)
	data, mime, _ := m.Audio()
	assert.Equal(t, pcm, data)
	assert.Equal(t, "audio/pcm;rate=16000", mime)
	assert.False(t, m.Binary, "the SDK sends text frames")

	require.NoError(t, st.SendEnd(ctx))
	_, err = c.WaitFor(ctx, geminitest.IsAudioStreamEnd)
	require.NoError(t, err)

	jpeg := []byte{0xff, 0xd8, 0xff, 0xe0, 1, 2, 3}
	require.NoError(t, st.Send(ctx, fullduplex.ImageSymbol(jpeg, "image/jpeg")))
	require.NoError(t, st.Send(ctx, fullduplex.VideoSymbol(jpeg, "image/jpeg")))
	vs, err := c.WaitCount(ctx, geminitest.IsVideo, 2)
	require.NoError(t, err)
	for _, v := range vs {
		assert.Equal(t, jpeg, v.RealtimeInput.Video.Data)
		assert.Equal(t, "image/jpeg", v.RealtimeInput.Video.MIMEType)
	}

	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("hello there")))
	m, err = c.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	txt, _ := m.Text()
	assert.Equal(t, "hello there", txt)
	assert.True(t, m.ClientContent.TurnComplete)
	assert.Equal(t, "user", m.ClientContent.Turns[0].Role)
}

func TestSendRefusesBadSymbols(t *testing.T) {
	_, st, c := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	for name, s := range map[string]fullduplex.Symbol{
		"wrong rate":   fullduplex.AudioSymbol(make([]byte, 960), 24000),
		"empty audio":  fullduplex.AudioSymbol(nil, 16000),
		"odd bytes":    fullduplex.AudioSymbol(make([]byte, 3), 16000),
		"stereo":       {Modality: fullduplex.ModalityAudio, Data: make([]byte, 8), Metadata: map[string]any{fullduplex.MetaSampleRate: 16000, fullduplex.MetaChannels: 2}},
		"video mp4":    fullduplex.VideoSymbol([]byte{1}, "video/mp4"),
		"no mime":      fullduplex.ImageSymbol([]byte{1}, ""),
		"bad modality": {Modality: "smell", Data: []byte{1}},
		"empty text":   fullduplex.TextSymbol(""),
	} {
		err := st.Send(ctx, s)
		assert.ErrorIs(t, err, fullduplex.ErrInvalidSymbol, name)
	}
	// The stream is still usable, and nothing bad reached the server.
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	_, err := c.WaitFor(ctx, geminitest.IsAudio)
	require.NoError(t, err)
	assert.Len(t, c.Messages(), 2)
}

func TestConcurrentSendsAreSerialized(t *testing.T) {
	_, st, c := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	const senders, each = 8, 25
	var wg sync.WaitGroup
	for range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				assert.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
			}
		}()
	}
	wg.Wait()
	_, err := c.WaitCount(ctx, geminitest.IsAudio, senders*each)
	require.NoError(t, err)
}

func TestToolCallRoundTrip(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	ctx := waitCtx(t)
	require.NoError(t, c.SendToolCall(&genai.FunctionCall{ID: "call-1", Name: "get_weather", Args: map[string]any{"city": "Oslo"}}))
	call := eventOf(t, recv(t, st), fullduplex.EventToolCall).Data.(fullduplex.ToolCall)
	require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: call.ID, Name: call.Name, Output: map[string]any{"temp_c": 3}}))
	require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "call-2", Name: "broken", Error: "tool failed"}))
	rs, err := c.WaitCount(ctx, geminitest.IsToolResponse, 2)
	require.NoError(t, err)
	fr := rs[0].ToolResponse.FunctionResponses[0]
	assert.Equal(t, "call-1", fr.ID)
	assert.Equal(t, "get_weather", fr.Name)
	assert.Equal(t, map[string]any{"output": map[string]any{"temp_c": float64(3)}}, fr.Response)
	fr = rs[1].ToolResponse.FunctionResponses[0]
	assert.Equal(t, map[string]any{"error": "tool failed"}, fr.Response)

	// Cancellation.
	require.NoError(t, c.SendToolCall(&genai.FunctionCall{ID: "call-3", Name: "slow"}))
	eventOf(t, recv(t, st), fullduplex.EventToolCall)
	require.NoError(t, c.SendToolCancellation("call-3"))
	assert.Equal(t, []string{"call-3"}, eventOf(t, recv(t, st), fullduplex.EventToolCancel).Data)

	err = st.SendToolResult(ctx, fullduplex.ToolResult{ID: "x", Name: "y", Output: make(chan int)})
	assert.ErrorContains(t, err, "JSON")
}

func TestManualActivity(t *testing.T) {
	_, st, c := start(t, geminitest.Options{Echo: true}, gemini.Config{ActivityDetection: &genai.AutomaticActivityDetection{Disabled: true}})
	ctx := waitCtx(t)
	// Audio outside an activity opens one; SendEnd closes it.
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	require.NoError(t, st.SendEnd(ctx))
	_, err := c.WaitFor(ctx, geminitest.IsActivityEnd)
	require.NoError(t, err)
	var kinds []string
	for _, m := range c.Messages()[1:] {
		switch {
		case geminitest.IsActivityStart(m):
			kinds = append(kinds, "start")
		case geminitest.IsAudio(m):
			kinds = append(kinds, "audio")
		case geminitest.IsActivityEnd(m):
			kinds = append(kinds, "end")
		default:
			kinds = append(kinds, string(m.Raw))
		}
	}
	assert.Equal(t, []string{"start", "audio", "audio", "end"}, kinds)

	// InterruptOutput sends activityStart; explicit signals work too.
	require.NoError(t, st.InterruptOutput(ctx))
	require.NoError(t, st.SendActivityEnd(ctx))
	require.NoError(t, st.SendActivityStart(ctx))
	_, err = c.WaitCount(ctx, geminitest.IsActivityStart, 3)
	require.NoError(t, err)
}

func TestActivitySignalsNeedManualMode(t *testing.T) {
	_, st, c := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	assert.Error(t, st.SendActivityStart(ctx))
	assert.Error(t, st.SendActivityEnd(ctx))
	assert.NoError(t, st.InterruptOutput(ctx), "a no-op with automatic detection")
	assert.Len(t, c.Messages(), 1)
}

func TestSendHonoursCancelledContext(t *testing.T) {
	_, st, _ := start(t, geminitest.Options{}, gemini.Config{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, st.Send(ctx, fullduplex.TextSymbol("x")), context.Canceled)
	assert.True(t, st.Connected(), "cancelling one call never kills the stream")
}
