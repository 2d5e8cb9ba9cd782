package gemini

import (
	"fmt"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// liveConfig builds the setup sent on every connection: cfg (resolved and
// validated) merged with cfg.LiveConfig, the declared tools, and the
// resumption handle (empty for a new session).
func liveConfig(cfg Config, declared []fullduplex.Tool, handle string) *genai.LiveConnectConfig {
	var lc genai.LiveConnectConfig
	if cfg.LiveConfig != nil {
		lc = *cfg.LiveConfig
	}
	lc.ResponseModalities = cfg.ResponseModalities
	if cfg.SystemInstruction != "" {
		lc.SystemInstruction = genai.NewContentFromText(cfg.SystemInstruction, genai.RoleUser)
	}
	if cfg.Voice != "" || cfg.LanguageCode != "" {
		sc := &genai.SpeechConfig{LanguageCode: cfg.LanguageCode}
		if cfg.Voice != "" {
			sc.VoiceConfig = &genai.VoiceConfig{PrebuiltVoiceConfig: &genai.PrebuiltVoiceConfig{VoiceName: cfg.Voice}}
		}
		lc.SpeechConfig = sc
	}
	if !cfg.DisableInputTranscription && lc.InputAudioTranscription == nil {
		lc.InputAudioTranscription = &genai.AudioTranscriptionConfig{}
	}
	if !cfg.DisableOutputTranscription && lc.OutputAudioTranscription == nil && cfg.audioOut() {
		lc.OutputAudioTranscription = &genai.AudioTranscriptionConfig{}
	}
	if cfg.ActivityDetection != nil {
		ric := genai.RealtimeInputConfig{}
		if lc.RealtimeInputConfig != nil {
			ric = *lc.RealtimeInputConfig
		}
		aad := *cfg.ActivityDetection
		ric.AutomaticActivityDetection = &aad
		lc.RealtimeInputConfig = &ric
	}
	switch {
	case cfg.ContextWindowCompression != nil:
		lc.ContextWindowCompression = cfg.ContextWindowCompression
	case !cfg.DisableContextWindowCompression && lc.ContextWindowCompression == nil:
		lc.ContextWindowCompression = &genai.ContextWindowCompressionConfig{SlidingWindow: &genai.SlidingWindow{}}
	}
	if !cfg.DisableResumption {
		lc.SessionResumption = &genai.SessionResumptionConfig{Handle: handle}
	}
	tools := append([]*genai.Tool(nil), lc.Tools...)
	tools = append(tools, cfg.Tools...)
	if len(declared) > 0 {
		fds := make([]*genai.FunctionDeclaration, 0, len(declared))
		for _, t := range declared {
			fd := &genai.FunctionDeclaration{Name: t.Name, Description: t.Description}
			if t.Parameters != nil {
				fd.ParametersJsonSchema = t.Parameters
			}
			if t.NonBlocking {
				fd.Behavior = genai.BehaviorNonBlocking
			}
			fds = append(fds, fd)
		}
		tools = append(tools, &genai.Tool{FunctionDeclarations: fds})
	}
	lc.Tools = tools
	return &lc
}

// checkTools refuses tool declarations the service would reject.
func checkTools(tools []fullduplex.Tool) error {
	seen := make(map[string]bool, len(tools))
	for _, t := range tools {
		if t.Name == "" {
			return fmt.Errorf("%w: a tool has no name", ErrInvalidConfig)
		}
		if seen[t.Name] {
			return fmt.Errorf("%w: tool %q is declared twice", ErrInvalidConfig, t.Name)
		}
		seen[t.Name] = true
		if _, ok := scheduling(t.Scheduling); !ok {
			return fmt.Errorf("%w: tool %q has unknown Scheduling %q", ErrInvalidConfig, t.Name, t.Scheduling)
		}
	}
	return nil
}
