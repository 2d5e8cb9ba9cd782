package gemini_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

func TestConfigRefusedBeforeDialing(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	tests := []struct {
		name string
		cfg  gemini.Config
		want string
	}{
		{"two modalities", gemini.Config{ResponseModalities: []genai.Modality{genai.ModalityAudio, genai.ModalityText}}, "exactly one"},
		{"image modality", gemini.Config{ResponseModalities: []genai.Modality{genai.ModalityImage}}, "AUDIO or TEXT"},
		{"voice with text", gemini.Config{Voice: "Puck", ResponseModalities: []genai.Modality{genai.ModalityText}}, "need audio"},
		{"bad model", gemini.Config{Model: "x?y"}, "model name"},
		{"negative rate", gemini.Config{InputSampleRate: -1}, "positive"},
		{"system instruction twice", gemini.Config{SystemInstruction: "a", LiveConfig: &genai.LiveConnectConfig{SystemInstruction: genai.NewContentFromText("b", genai.RoleUser)}}, "one place"},
		{"http options", gemini.Config{LiveConfig: &genai.LiveConnectConfig{HTTPOptions: &genai.HTTPOptions{}}}, "HTTPOptions"},
		{"explicit vad", gemini.Config{LiveConfig: &genai.LiveConnectConfig{ExplicitVADSignal: genai.Ptr(true)}}, "Vertex"},
		{"compression twice", gemini.Config{DisableContextWindowCompression: true, ContextWindowCompression: &genai.ContextWindowCompressionConfig{}}, "both"},
		{"resumption in live config", gemini.Config{LiveConfig: &genai.LiveConnectConfig{SessionResumption: &genai.SessionResumptionConfig{}}}, "resumption"},
		{"ephemeral token on v1beta", gemini.Config{APIKey: "auth_tokens/abc", APIVersion: "v1beta"}, "v1alpha"},
		{"vertex-only tool", gemini.Config{Tools: []*genai.Tool{{Retrieval: &genai.Retrieval{}}}}, "Vertex AI only"},
		{"nil tool", gemini.Config{LiveConfig: &genai.LiveConnectConfig{Tools: []*genai.Tool{nil}}}, "nil"},
		{"multi-speaker", gemini.Config{LiveConfig: &genai.LiveConnectConfig{SpeechConfig: &genai.SpeechConfig{MultiSpeakerVoiceConfig: &genai.MultiSpeakerVoiceConfig{}}}}, "MultiSpeaker"},
		{"base url without scheme", gemini.Config{BaseURL: "127.0.0.1:1"}, "scheme"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			if cfg.BaseURL == "" {
				cfg.BaseURL = srv.URL()
			}
			if cfg.APIKey == "" {
				cfg.APIKey = testKey
			}
			st := gemini.NewStream(cfg)
			defer st.Close()
			err := st.Connect(waitCtx(t))
			require.ErrorIs(t, err, gemini.ErrInvalidConfig)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testKey)
			assert.False(t, st.Connected())
		})
	}
	assert.Empty(t, srv.Conns(), "a refused config must not dial")
}

func TestAPIKeyFromEnvironment(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL()})
	err := st.Connect(waitCtx(t))
	require.ErrorIs(t, err, gemini.ErrInvalidConfig)
	assert.Contains(t, err.Error(), "GOOGLE_API_KEY")
	require.NoError(t, st.Close())

	t.Setenv("GEMINI_API_KEY", testKey)
	st = gemini.NewStream(gemini.Config{BaseURL: srv.URL()})
	require.NoError(t, st.Connect(waitCtx(t)))
	require.NoError(t, st.Close())

	t.Setenv("GOOGLE_API_KEY", "wrong-key-123")
	st = gemini.NewStream(gemini.Config{BaseURL: srv.URL()})
	defer st.Close()
	err = st.Connect(waitCtx(t))
	require.Error(t, err, "GOOGLE_API_KEY wins over GEMINI_API_KEY")
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1008, ce.Code)
	assert.NotContains(t, err.Error(), "wrong-key-123")
}

func TestSetupDefaults(t *testing.T) {
	_, _, c := start(t, geminitest.Options{}, gemini.Config{SystemInstruction: "Be brief.", Voice: "Kore"})
	setup := c.Setup()
	assert.Equal(t, "models/"+gemini.DefaultModel, setup.Model)
	require.NotNil(t, setup.SystemInstruction)
	assert.Equal(t, "Be brief.", setup.SystemInstruction.Parts[0].Text)
	require.NotNil(t, setup.GenerationConfig)
	assert.Equal(t, []genai.Modality{genai.ModalityAudio}, setup.GenerationConfig.ResponseModalities)
	assert.Equal(t, "Kore", setup.GenerationConfig.SpeechConfig.VoiceConfig.PrebuiltVoiceConfig.VoiceName)
	assert.NotNil(t, setup.InputAudioTranscription, "input transcription is on by default")
	assert.NotNil(t, setup.OutputAudioTranscription, "output transcription is on by default")
	require.NotNil(t, setup.SessionResumption, "resumption is on by default")
	assert.Empty(t, setup.SessionResumption.Handle)
	require.NotNil(t, setup.ContextWindowCompression)
	assert.NotNil(t, setup.ContextWindowCompression.SlidingWindow)
	assert.Nil(t, setup.RealtimeInputConfig)
}

func TestSetupOptionsAndTools(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey})
	st := gemini.NewStream(gemini.Config{
		BaseURL: srv.URL(), APIKey: testKey, Model: "some-live-model",
		DisableInputTranscription: true, DisableOutputTranscription: true,
		DisableContextWindowCompression: true, DisableResumption: true,
		ActivityDetection: &genai.AutomaticActivityDetection{Disabled: true},
		Tools:             []*genai.Tool{{GoogleSearch: &genai.GoogleSearch{}}},
		LiveConfig:        &genai.LiveConnectConfig{Temperature: genai.Ptr[float32](0.5)},
	})
	defer st.Close()
	require.NoError(t, st.DeclareTools([]fullduplex.Tool{{
		Name: "get_weather", Description: "Weather in a city",
		Parameters: map[string]any{"type": "object", "properties": map[string]any{"city": map[string]any{"type": "string"}}},
	}}))
	require.NoError(t, st.Connect(waitCtx(t)))
	c, err := srv.WaitConn(waitCtx(t), 0)
	require.NoError(t, err)
	setup := c.Setup()
	assert.Equal(t, "models/some-live-model", setup.Model)
	assert.Nil(t, setup.InputAudioTranscription)
	assert.Nil(t, setup.OutputAudioTranscription)
	assert.Nil(t, setup.ContextWindowCompression)
	assert.Nil(t, setup.SessionResumption)
	require.NotNil(t, setup.RealtimeInputConfig)
	assert.True(t, setup.RealtimeInputConfig.AutomaticActivityDetection.Disabled)
	assert.InDelta(t, 0.5, *setup.GenerationConfig.Temperature, 1e-6)
	require.Len(t, setup.Tools, 2)
	assert.NotNil(t, setup.Tools[0].GoogleSearch)
	require.Len(t, setup.Tools[1].FunctionDeclarations, 1)
	fd := setup.Tools[1].FunctionDeclarations[0]
	assert.Equal(t, "get_weather", fd.Name)
	assert.NotNil(t, fd.ParametersJsonSchema)

	assert.Error(t, st.DeclareTools(nil), "tools are part of the setup")
}

func TestDeclareToolsRefusesBadTools(t *testing.T) {
	st := gemini.NewStream(gemini.Config{})
	defer st.Close()
	assert.ErrorIs(t, st.DeclareTools([]fullduplex.Tool{{Name: ""}}), gemini.ErrInvalidConfig)
	assert.ErrorIs(t, st.DeclareTools([]fullduplex.Tool{{Name: "a"}, {Name: "a"}}), gemini.ErrInvalidConfig)
}

func TestEphemeralToken(t *testing.T) {
	const token = "auth_tokens/ephemeral-123"
	srv := geminitest.New(t, geminitest.Options{APIKey: token, Echo: true})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: token, ResponseModalities: []genai.Modality{genai.ModalityText}})
	defer st.Close()
	require.NoError(t, st.Connect(waitCtx(t)))
	require.NoError(t, st.Send(waitCtx(t), fullduplex.TextSymbol("hi")))
	for {
		it := recv(t, st)
		if s, ok := it.(fullduplex.Symbol); ok {
			txt, _ := s.TextValue()
			assert.Equal(t, "echo: hi", txt)
			break
		}
	}
}

// errorsNeverShowKey is shared by the tests that provoke errors.
func assertNoKey(t *testing.T, err error) {
	t.Helper()
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.False(t, strings.Contains(e.Error(), testKey), "API key in error %q", e.Error())
	}
}

func TestResumeHandleAndLiveConfigModalities(t *testing.T) {
	_, _, c := start(t, geminitest.Options{}, gemini.Config{
		ResumeHandle: "earlier-session",
		LiveConfig:   &genai.LiveConnectConfig{ResponseModalities: []genai.Modality{genai.ModalityText}},
	})
	setup := c.Setup()
	assert.Equal(t, "earlier-session", setup.SessionResumption.Handle)
	assert.Equal(t, []genai.Modality{genai.ModalityText}, setup.GenerationConfig.ResponseModalities)
	assert.Nil(t, setup.OutputAudioTranscription, "no output transcription for text responses")
}
