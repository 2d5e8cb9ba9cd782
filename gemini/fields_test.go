package gemini_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// Every field of the Live API's server content and usage reaches the
// caller, from frames in the service's JSON shape.
func TestLiveFieldsAreSurfaced(t *testing.T) {
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, gemini.Config{})
	raw := func(frame string) { require.NoError(t, c.SendRaw([]byte(frame), true)) }

	t.Run("interim input transcription and language", func(t *testing.T) {
		raw(`{"serverContent":{"interimInputTranscription":{"text":"what's the wea"}}}`)
		s := symbol(t, recv(t, st))
		txt, _ := s.TextValue()
		assert.Equal(t, "what's the wea", txt)
		assert.Equal(t, fullduplex.RoleUser, s.Role())
		assert.Equal(t, false, s.Metadata[fullduplex.MetaFinal])
		assert.Equal(t, true, s.Metadata[gemini.MetaInterim])

		raw(`{"serverContent":{"inputTranscription":{"text":"what's the weather","finished":true,"languageCode":"en-US"}}}`)
		s = symbol(t, recv(t, st))
		assert.Equal(t, "en-US", s.Metadata[gemini.MetaLanguage])
		assert.Nil(t, s.Metadata[gemini.MetaInterim])
		assert.Equal(t, true, s.Metadata[fullduplex.MetaFinal])
	})

	t.Run("waiting for input", func(t *testing.T) {
		raw(`{"serverContent":{"waitingForInput":true}}`)
		ev := eventOf(t, recv(t, st), fullduplex.EventMetadata)
		assert.Equal(t, gemini.WaitingForInput{Turn: 0}, ev.Data)
	})

	t.Run("usage details, interaction status and reason before the terminator", func(t *testing.T) {
		raw(`{"serverContent":{"outputTranscription":{"text":"It's sunny.","languageCode":"en-US"}}}`)
		s := symbol(t, recv(t, st))
		assert.Equal(t, "en-US", s.Metadata[gemini.MetaLanguage])
		raw(`{"serverContent":{"turnComplete":true,"interactionStatus":"IDLE"},"usageMetadata":{` +
			`"promptTokenCount":120,"cachedContentTokenCount":40,"responseTokenCount":30,"toolUsePromptTokenCount":12,"thoughtsTokenCount":7,"totalTokenCount":169,` +
			`"promptTokensDetails":[{"modality":"AUDIO","tokenCount":100},{"modality":"TEXT","tokenCount":20}],` +
			`"cacheTokensDetails":[{"modality":"TEXT","tokenCount":40}],` +
			`"responseTokensDetails":[{"modality":"AUDIO","tokenCount":30}],` +
			`"toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":12}]}}`)
		ev := eventOf(t, recv(t, st), fullduplex.EventMetadata)
		assert.Equal(t, gemini.InteractionStatus{Turn: 0, Status: "IDLE"}, ev.Data)
		ev = eventOf(t, recv(t, st), fullduplex.EventUsage)
		assert.Equal(t, fullduplex.Usage{
			InputTokens: 120, OutputTokens: 30, TotalTokens: 169,
			CachedTokens: 40, ThoughtsTokens: 7, ToolUseTokens: 12,
			InputByModality:   map[fullduplex.Modality]int{fullduplex.ModalityAudio: 100, fullduplex.ModalityText: 20},
			OutputByModality:  map[fullduplex.Modality]int{fullduplex.ModalityAudio: 30},
			CachedByModality:  map[fullduplex.Modality]int{fullduplex.ModalityText: 40},
			ToolUseByModality: map[fullduplex.Modality]int{fullduplex.ModalityText: 12},
		}, ev.Data)
		ev = eventOf(t, recv(t, st), fullduplex.EventStreamEnd)
		assert.Equal(t, fullduplex.TurnEnd{Turn: 0}, ev.Data, "a normal end has no reason")
	})

	t.Run("a rejected turn says so", func(t *testing.T) {
		raw(`{"serverContent":{"turnComplete":true,"turnCompleteReason":"RESPONSE_REJECTED"},"usageMetadata":{"promptTokenCount":5,"totalTokenCount":5}}`)
		eventOf(t, recv(t, st), fullduplex.EventUsage)
		ev := eventOf(t, recv(t, st), fullduplex.EventStreamEnd)
		assert.Equal(t, fullduplex.TurnEnd{Turn: 1, Reason: "RESPONSE_REJECTED"}, ev.Data)
	})

	t.Run("the reason of a cut turn lands on its one terminator", func(t *testing.T) {
		raw(`{"serverContent":{"modelTurn":{"parts":[{"text":"Let me"}]}}}`)
		symbol(t, recv(t, st))
		raw(`{"serverContent":{"interrupted":true}}`)
		raw(`{"serverContent":{"outputTranscription":{"text":"Let me"}}}`)
		raw(`{"serverContent":{"turnComplete":true,"turnCompleteReason":"NEED_MORE_INPUT"},"usageMetadata":{"totalTokenCount":3}}`)
		raw(`{"serverContent":{"modelTurn":{"parts":[{"text":"Sure."}]},"turnComplete":true}}`)
		s := symbol(t, recv(t, st))
		turn, _ := s.Turn()
		assert.Equal(t, 2, turn, "the transcript that trails the interruption belongs to the cut turn")
		eventOf(t, recv(t, st), fullduplex.EventUsage)
		ev := eventOf(t, recv(t, st), fullduplex.EventInterrupt)
		assert.Equal(t, fullduplex.TurnEnd{Turn: 2, Reason: "NEED_MORE_INPUT"}, ev.Data)
		s = symbol(t, recv(t, st))
		turn, _ = s.Turn()
		assert.Equal(t, 3, turn)
		ev = eventOf(t, recv(t, st), fullduplex.EventStreamEnd)
		assert.Equal(t, fullduplex.TurnEnd{Turn: 3}, ev.Data, "the next turn is not ended twice")
	})

	t.Run("an interrupt without its turnComplete is released", func(t *testing.T) {
		raw(`{"serverContent":{"modelTurn":{"parts":[{"text":"Well"}]}}}`)
		symbol(t, recv(t, st))
		raw(`{"serverContent":{"interrupted":true}}`)
		ev := eventOf(t, recv(t, st), fullduplex.EventInterrupt)
		assert.Equal(t, fullduplex.TurnEnd{Turn: 4}, ev.Data)
		raw(`{"serverContent":{"turnComplete":true}}`)
		raw(`{"serverContent":{"modelTurn":{"parts":[{"text":"next"}]}}}`)
		s := symbol(t, recv(t, st))
		turn, _ := s.Turn()
		assert.Equal(t, 5, turn, "the late turnComplete ends nothing")
	})
}
