package gemini_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

func symbol(t *testing.T, it fullduplex.StreamItem) fullduplex.Symbol {
	t.Helper()
	s, ok := it.(fullduplex.Symbol)
	require.True(t, ok, "want a symbol, got %#v", it)
	return s
}

func eventOf(t *testing.T, it fullduplex.StreamItem, typ fullduplex.EventType) fullduplex.StreamEvent {
	t.Helper()
	ev, ok := it.(fullduplex.StreamEvent)
	require.True(t, ok, "want event %s, got %#v", typ, it)
	require.Equal(t, typ, ev.Type, "event data %#v", ev.Data)
	return ev
}

func TestDownlinkMapping(t *testing.T) {
	for _, textFrames := range []bool{false, true} {
		name := "binary frames"
		if textFrames {
			name = "text frames"
		}
		t.Run(name, func(t *testing.T) {
			_, st, c := start(t, geminitest.Options{TextFrames: textFrames, NoResumptionUpdates: true}, gemini.Config{})
			pcm := geminitest.Tone(300, 24000, 40)

			require.NoError(t, c.SendInputTranscription("what's up", true))
			s := symbol(t, recv(t, st))
			txt, _ := s.TextValue()
			assert.Equal(t, "what's up", txt)
			assert.Equal(t, fullduplex.RoleUser, s.Role())
			assert.Equal(t, true, s.Metadata[fullduplex.MetaTranscript])
			assert.Equal(t, true, s.Metadata[fullduplex.MetaFinal])

			require.NoError(t, c.SendAudio(pcm, 24000))
			s = symbol(t, recv(t, st))
			assert.Equal(t, fullduplex.ModalityAudio, s.Modality)
			assert.Equal(t, pcm, s.Data)
			assert.Equal(t, 24000, s.SampleRate())
			assert.Equal(t, "audio/pcm;rate=24000", s.MIMEType)
			assert.Equal(t, fullduplex.RoleModel, s.Role())
			turn, ok := s.Turn()
			require.True(t, ok)
			assert.Equal(t, 0, turn)
			assert.Equal(t, 40*time.Millisecond, s.Duration())

			require.NoError(t, c.SendOutputTranscription("not much", false))
			s = symbol(t, recv(t, st))
			txt, _ = s.TextValue()
			assert.Equal(t, "not much", txt)
			assert.Equal(t, fullduplex.RoleModel, s.Role())
			assert.Equal(t, true, s.Metadata[fullduplex.MetaTranscript])
			assert.Equal(t, false, s.Metadata[fullduplex.MetaFinal])

			require.NoError(t, c.SendText("model text"))
			s = symbol(t, recv(t, st))
			txt, _ = s.TextValue()
			assert.Equal(t, "model text", txt)
			assert.Equal(t, fullduplex.RoleModel, s.Role())
			assert.Nil(t, s.Metadata[fullduplex.MetaTranscript])

			require.NoError(t, c.SendGenerationComplete())
			ev := eventOf(t, recv(t, st), fullduplex.EventMetadata)
			assert.Equal(t, gemini.GenerationComplete{Turn: 0}, ev.Data)

			require.NoError(t, c.SendTurnComplete())
			eventOf(t, recv(t, st), fullduplex.EventStreamEnd)

			// The next turn is numbered 1.
			require.NoError(t, c.SendAudio(pcm, 24000))
			turn, _ = symbol(t, recv(t, st)).Turn()
			assert.Equal(t, 1, turn)
			require.NoError(t, c.SendInterrupted())
			eventOf(t, recv(t, st), fullduplex.EventInterrupt)
			require.NoError(t, c.SendAudio(pcm, 24000))
			turn, _ = symbol(t, recv(t, st)).Turn()
			assert.Equal(t, 2, turn, "interrupted ends the turn")

			require.NoError(t, c.SendToolCall(
				&genai.FunctionCall{ID: "c1", Name: "get_weather", Args: map[string]any{"city": "Paris"}},
				&genai.FunctionCall{ID: "c2", Name: "get_time"},
			))
			ev = eventOf(t, recv(t, st), fullduplex.EventToolCall)
			assert.Equal(t, fullduplex.ToolCall{ID: "c1", Name: "get_weather", Args: map[string]any{"city": "Paris"}}, ev.Data)
			ev = eventOf(t, recv(t, st), fullduplex.EventToolCall)
			assert.Equal(t, fullduplex.ToolCall{ID: "c2", Name: "get_time", Args: map[string]any{}}, ev.Data)

			require.NoError(t, c.SendToolCancellation("c1", "c2"))
			ev = eventOf(t, recv(t, st), fullduplex.EventToolCancel)
			assert.Equal(t, []string{"c1", "c2"}, ev.Data)

			require.NoError(t, c.SendUsage(&genai.UsageMetadata{
				PromptTokenCount: 10, ResponseTokenCount: 20, TotalTokenCount: 30,
				PromptTokensDetails:   []*genai.ModalityTokenCount{{Modality: genai.MediaModalityAudio, TokenCount: 7}, {Modality: genai.MediaModalityText, TokenCount: 3}},
				ResponseTokensDetails: []*genai.ModalityTokenCount{{Modality: genai.MediaModalityAudio, TokenCount: 20}},
			}))
			ev = eventOf(t, recv(t, st), fullduplex.EventUsage)
			assert.Equal(t, fullduplex.Usage{
				InputTokens: 10, OutputTokens: 20, TotalTokens: 30,
				InputByModality:  map[fullduplex.Modality]int{fullduplex.ModalityAudio: 7, fullduplex.ModalityText: 3},
				OutputByModality: map[fullduplex.Modality]int{fullduplex.ModalityAudio: 20},
			}, ev.Data)

			require.NoError(t, c.SendGoAway(50*time.Second))
			ev = eventOf(t, recv(t, st), fullduplex.EventMetadata)
			ga, ok := ev.Data.(*genai.LiveServerGoAway)
			require.True(t, ok, "%#v", ev.Data)
			assert.Equal(t, 50*time.Second, ga.TimeLeft)

			require.NoError(t, c.SendResumptionUpdate("h1", true))
			ev = eventOf(t, recv(t, st), fullduplex.EventMetadata)
			ru, ok := ev.Data.(*genai.LiveServerSessionResumptionUpdate)
			require.True(t, ok)
			assert.Equal(t, "h1", ru.NewHandle)
		})
	}
}

func TestMultiPartFrameKeepsOrder(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	a, b := geminitest.Tone(200, 24000, 20), geminitest.Tone(400, 24000, 20)
	require.NoError(t, c.Send(&genai.LiveServerMessage{
		ServerContent: &genai.LiveServerContent{
			InputTranscription: &genai.Transcription{Text: "hi"},
			ModelTurn: &genai.Content{Parts: []*genai.Part{
				{InlineData: &genai.Blob{Data: a, MIMEType: "audio/pcm;rate=24000"}},
				{Text: "one"},
				{InlineData: &genai.Blob{Data: b, MIMEType: "audio/pcm"}}, // no rate: Config.OutputSampleRate
				{Text: "thinking...", Thought: true},
			}},
			OutputTranscription: &genai.Transcription{Text: "hello"},
			TurnComplete:        true,
		},
		UsageMetadata: &genai.UsageMetadata{TotalTokenCount: 5},
	}))
	s := symbol(t, recv(t, st))
	assert.Equal(t, fullduplex.RoleUser, s.Role())
	s = symbol(t, recv(t, st))
	assert.Equal(t, a, s.Data)
	s = symbol(t, recv(t, st))
	txt, _ := s.TextValue()
	assert.Equal(t, "one", txt)
	s = symbol(t, recv(t, st))
	assert.Equal(t, b, s.Data)
	assert.Equal(t, 24000, s.SampleRate())
	ev := eventOf(t, recv(t, st), fullduplex.EventMetadata)
	assert.Equal(t, gemini.Thought{Text: "thinking...", Turn: 0}, ev.Data)
	s = symbol(t, recv(t, st))
	txt, _ = s.TextValue()
	assert.Equal(t, "hello", txt)
	assert.Equal(t, true, s.Metadata[fullduplex.MetaTranscript])
	// The turn's usage comes before its terminator, though the service
	// sends them in one frame.
	eventOf(t, recv(t, st), fullduplex.EventUsage)
	ev = eventOf(t, recv(t, st), fullduplex.EventStreamEnd)
	assert.Equal(t, fullduplex.TurnEnd{Turn: 0}, ev.Data)
}

func TestBargeInMidReply(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	ctx := waitCtx(t)
	chunk := geminitest.Tone(300, 24000, 40)
	require.NoError(t, c.SendAudio(chunk, 24000))
	require.NoError(t, c.SendAudio(chunk, 24000))
	// The user talks over the model.
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	_, err := c.WaitFor(ctx, geminitest.IsAudio)
	require.NoError(t, err)
	// The service ends a cut turn with interrupted, then turnComplete with
	// the turn's usage: one terminator, the usage before it.
	require.NoError(t, c.SendInterrupted())
	require.NoError(t, c.Send(&genai.LiveServerMessage{
		ServerContent: &genai.LiveServerContent{TurnComplete: true},
		UsageMetadata: &genai.UsageMetadata{TotalTokenCount: 9},
	}))
	require.NoError(t, c.SendAudio(chunk, 24000)) // the next answer

	for range 2 {
		turn, _ := symbol(t, recv(t, st)).Turn()
		assert.Equal(t, 0, turn)
	}
	ev := eventOf(t, recv(t, st), fullduplex.EventUsage)
	assert.Equal(t, 9, ev.Data.(fullduplex.Usage).TotalTokens)
	ev = eventOf(t, recv(t, st), fullduplex.EventInterrupt)
	assert.Equal(t, fullduplex.TurnEnd{Turn: 0}, ev.Data)
	turn, _ := symbol(t, recv(t, st)).Turn()
	assert.Equal(t, 1, turn, "interrupted+turnComplete in a row end one turn, with one terminator")
}

func TestMalformedFramesAreNonFatal(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	require.NoError(t, c.SendText("before"))
	require.NoError(t, c.SendRaw([]byte(`{"serverContent": {"modelTurn": `), true))          // not JSON
	require.NoError(t, c.SendRaw([]byte(`{"serverContent": {"modelTurn": "oops"}}`), false)) // wrong shape
	require.NoError(t, c.SendRaw([]byte(`{"error": {"code": 400, "message": "bad"}}`), true))
	require.NoError(t, c.SendText("after"))

	txt, _ := symbol(t, recv(t, st)).TextValue()
	assert.Equal(t, "before", txt)
	for range 3 {
		ev := eventOf(t, recv(t, st), fullduplex.EventError)
		var fe *gemini.FrameError
		require.ErrorAs(t, ev.Data.(error), &fe)
		assertNoKey(t, fe)
	}
	txt, _ = symbol(t, recv(t, st)).TextValue()
	assert.Equal(t, "after", txt)
	assert.True(t, st.Connected())
}

func TestEchoAudioTurn(t *testing.T) {
	_, st, c := start(t, geminitest.Options{Echo: true}, gemini.Config{})
	ctx := waitCtx(t)
	for range 5 {
		require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(geminitest.Tone(500, 16000, 20), 16000)))
	}
	require.NoError(t, st.SendEnd(ctx))
	_, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd)
	require.NoError(t, err)

	var audio time.Duration
	var in, out string
	var usage *fullduplex.Usage
	for {
		it := next(t, st)
		if ev, ok := it.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventStreamEnd {
			break
		}
		if ev, ok := it.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventUsage {
			u := ev.Data.(fullduplex.Usage)
			usage = &u
			continue
		}
		s := symbol(t, it)
		switch {
		case s.Modality == fullduplex.ModalityAudio:
			audio += s.Duration()
		case s.Role() == fullduplex.RoleUser:
			in, _ = s.TextValue()
		default:
			out, _ = s.TextValue()
		}
	}
	assert.Equal(t, 100*time.Millisecond, audio)
	assert.Equal(t, "[100 ms of audio]", in)
	assert.Equal(t, "echo: [100 ms of audio]", out)
	require.NotNil(t, usage, "the echo model reports usage with turnComplete, before the terminator")
	assert.Equal(t, 3, usage.InputByModality[fullduplex.ModalityAudio], "100 ms at 32 tokens/s")

	raw := c.Messages()[1].Raw
	var m map[string]any
	require.NoError(t, json.Unmarshal(raw, &m))
	assert.Contains(t, string(raw), `"mimeType":"audio/pcm;rate=16000"`)
}
