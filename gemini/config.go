package gemini

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"cloud.google.com/go/auth"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex/internal/apikey"
)

// DefaultModel is the model used when Config.Model is empty: Google's stable
// Live model as of autumn 2026 (audio output only; use output transcription
// for text). Prefer setting Config.Model from a flag.
const DefaultModel = "gemini-3.8-live"

// Default values of the Config fields whose zero value means "default".
const (
	DefaultInputSampleRate  = 16000
	DefaultOutputSampleRate = 24000
	DefaultReceiveBuffer    = 512
	DefaultConnectTimeout   = 15 * time.Second
	DefaultMaxReconnects    = 3
	DefaultReconnectBackoff = 200 * time.Millisecond
	// DefaultMaxFrameSize is far above the largest message the service
	// sends (audio comes in chunks of a few kilobytes; tool calls, usage
	// and grounding metadata are kilobytes too).
	DefaultMaxFrameSize = 4 << 20
)

// ErrInvalidConfig marks a Config that Connect refused before dialing.
var ErrInvalidConfig = errors.New("gemini: invalid config")

// Config configures a Stream. The zero value is usable: every zero field
// means the default written in its comment. A Config is a value; NewStream
// copies it, so changing it afterwards affects no stream (the pointers it
// holds, such as LiveConfig, must not be changed while a stream uses them).
type Config struct {
	// Model is the Live model, e.g. "gemini-3.8-live" or
	// "gemini-2.5-flash-native-audio-preview-12-2025". Default DefaultModel.
	Model string
	// SystemInstruction is the system prompt. Default none.
	SystemInstruction string
	// InputSampleRate is the rate of the audio symbols sent (16-bit mono
	// PCM). Audio at any other rate is refused with an error wrapping
	// fullduplex.ErrInvalidSymbol. Default 16000.
	InputSampleRate int
	// OutputSampleRate labels model audio whose MIME type carries no rate.
	// The service sends 24 kHz and says so; the stream does not resample.
	// Default 24000.
	OutputSampleRate int
	// ResponseModalities is what the model answers with: exactly one of
	// genai.ModalityAudio and genai.ModalityText. Default audio.
	ResponseModalities []genai.Modality
	// APIKey authenticates the stream with the Gemini API. Default
	// $GOOGLE_API_KEY, then $GEMINI_API_KEY. An ephemeral token
	// ("auth_tokens/...") works too: the stream then uses API version
	// v1alpha, as the service requires. Not used with VertexAI.
	APIKey string
	// VertexAI selects Vertex AI's Live API instead of the Gemini API: the
	// stream dials {BaseURL}/ws/google.cloud.aiplatform.{APIVersion}.LlmBidiService/BidiGenerateContent
	// with an OAuth bearer token from Credentials, and the model is named
	// in Project and Location (a short name such as "gemini-live-2.5-flash"
	// becomes projects/P/locations/L/publishers/google/models/NAME; a full
	// "projects/..." or "publishers/..." name is sent as it is). Default
	// false: the Gemini API.
	VertexAI bool
	// Project is the Google Cloud project (VertexAI only). Default
	// $GOOGLE_CLOUD_PROJECT.
	Project string
	// Location is the Google Cloud region (VertexAI only). Default
	// $GOOGLE_CLOUD_LOCATION, then $GOOGLE_CLOUD_REGION, then "us-central1".
	Location string
	// Credentials authenticate a VertexAI stream, e.g. from
	// cloud.google.com/go/auth/credentials.DetectDefault, or
	// auth.NewCredentials with a static token for a test server. Default:
	// Application Default Credentials, looked up by Connect.
	Credentials *auth.Credentials
	// Voice is a prebuilt voice name such as "Puck" or "Kore" (audio
	// responses only). Default: the service's.
	Voice string
	// LanguageCode is the BCP-47 language of the speech output. Default: the
	// service's.
	LanguageCode string
	// DisableInputTranscription turns off the transcription of the user's
	// speech (text symbols with role "user"). Transcription is on by default.
	DisableInputTranscription bool
	// DisableOutputTranscription turns off the transcription of the model's
	// speech (text symbols with role "model"). On by default for audio
	// responses.
	DisableOutputTranscription bool
	// ActivityDetection configures the service's automatic voice activity
	// detection (sensitivities, padding, silence duration). Set Disabled to
	// signal activity yourself with SendActivityStart and SendActivityEnd.
	// Default: nil, automatic detection with the service's settings.
	ActivityDetection *genai.AutomaticActivityDetection
	// ContextWindowCompression configures how the service shortens a long
	// conversation's context. Default: a sliding window at the service's
	// trigger, which lets audio sessions run past 15 minutes. See
	// DisableContextWindowCompression.
	ContextWindowCompression *genai.ContextWindowCompressionConfig
	// DisableContextWindowCompression turns context-window compression off.
	DisableContextWindowCompression bool
	// Tools are passed to the service as they are, together with the tools a
	// DuplexSession declares through DeclareTools. Default none.
	Tools []*genai.Tool
	// BaseURL is the service's base URL: "ws://127.0.0.1:PORT" reaches a
	// geminitest server, an http(s) URL is dialed as wss. Default Google's.
	BaseURL string
	// APIVersion is the API version in the websocket path. Default "v1beta",
	// "v1alpha" for an ephemeral token, "v1beta1" with VertexAI.
	APIVersion string
	// LiveConfig is passed to the service for every setting the fields above
	// do not cover (temperature, thinking, proactivity, ...). A setting may be
	// given in one place only: Connect refuses, say, both SystemInstruction
	// and LiveConfig.SystemInstruction. Default nil.
	LiveConfig *genai.LiveConnectConfig
	// DisableResumption turns session resumption off. Then a GoAway or an
	// unexpected close ends the stream with an error. Resumption is on by
	// default.
	DisableResumption bool
	// ResumeHandle resumes an earlier session (a handle from a
	// *genai.LiveServerSessionResumptionUpdate, valid about two hours).
	// Default: a new session.
	ResumeHandle string
	// MaxReconnects is how many reconnect attempts in a row may fail before
	// the stream ends with an error. Default 3; negative means never
	// reconnect.
	MaxReconnects int
	// ReconnectBackoff is the wait before the second attempt; it doubles per
	// failed attempt up to 5 s. The first attempt is immediate. Default 200ms.
	ReconnectBackoff time.Duration
	// ConnectTimeout bounds each reconnect's handshake (Connect itself is
	// bounded by its ctx). Default 15 s.
	ConnectTimeout time.Duration
	// ReceiveBuffer is how many received items wait for Receive before the
	// background reader stops reading (backpressure). Default 512.
	ReceiveBuffer int
	// MaxFrameSize is the largest server message, in bytes, the stream
	// reads; a longer one is refused as soon as its header arrives (memory
	// stays bounded). The websocket library cannot skip a message it has
	// begun, so the connection ends: the stream reports a
	// *FrameTooLargeError as a fullduplex.EventError and reconnects
	// (ReconnectInfo.Err is the same error), or ends with it when it cannot
	// reconnect. The setupComplete that answers a dial is read by the SDK
	// before the limit applies. Default DefaultMaxFrameSize (4 MiB);
	// negative means no limit.
	MaxFrameSize int
	// CloseSendWait is how long, after CloseSend, the stream waits for the
	// model to start an answer it owes before it ends anyway (the service
	// answers speech but says nothing about silence or noise). Once an
	// answer has started, the stream waits for its end. Default 10 s.
	CloseSendWait time.Duration
}

// resolved returns c with every default filled in, without validating.
func (c Config) resolved() Config {
	if c.Model == "" {
		c.Model = DefaultModel
	}
	if c.InputSampleRate == 0 {
		c.InputSampleRate = DefaultInputSampleRate
	}
	if c.OutputSampleRate == 0 {
		c.OutputSampleRate = DefaultOutputSampleRate
	}
	if len(c.ResponseModalities) == 0 && c.LiveConfig != nil && len(c.LiveConfig.ResponseModalities) > 0 {
		c.ResponseModalities = c.LiveConfig.ResponseModalities
	}
	if len(c.ResponseModalities) == 0 {
		c.ResponseModalities = []genai.Modality{genai.ModalityAudio}
	}
	if c.VertexAI {
		if c.Project == "" {
			c.Project = os.Getenv("GOOGLE_CLOUD_PROJECT")
		}
		for _, env := range []string{"GOOGLE_CLOUD_LOCATION", "GOOGLE_CLOUD_REGION"} {
			if c.Location == "" {
				c.Location = os.Getenv(env)
			}
		}
		if c.Location == "" {
			c.Location = "us-central1"
		}
		if c.APIVersion == "" {
			c.APIVersion = "v1beta1"
		}
	} else if c.APIKey == "" {
		c.APIKey = apikey.Gemini()
	}
	if c.APIVersion == "" {
		c.APIVersion = "v1beta"
		if isEphemeralToken(c.APIKey) {
			c.APIVersion = "v1alpha"
		}
	}
	if c.MaxReconnects == 0 {
		c.MaxReconnects = DefaultMaxReconnects
	}
	if c.ReconnectBackoff <= 0 {
		c.ReconnectBackoff = DefaultReconnectBackoff
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.ReceiveBuffer <= 0 {
		c.ReceiveBuffer = DefaultReceiveBuffer
	}
	if c.MaxFrameSize == 0 {
		c.MaxFrameSize = DefaultMaxFrameSize
	}
	if c.CloseSendWait <= 0 {
		c.CloseSendWait = DefaultCloseSendWait
	}
	return c
}

// clientConfig is the SDK client configuration of a resolved Config.
func (c Config) clientConfig() *genai.ClientConfig {
	hc := genai.HTTPOptions{BaseURL: c.BaseURL, APIVersion: c.APIVersion}
	if c.VertexAI {
		return &genai.ClientConfig{
			Backend: genai.BackendVertexAI, Project: c.Project, Location: c.Location,
			Credentials: c.Credentials, HTTPOptions: hc,
		}
	}
	return &genai.ClientConfig{APIKey: c.APIKey, Backend: genai.BackendGeminiAPI, HTTPOptions: hc}
}

func isEphemeralToken(key string) bool { return strings.HasPrefix(key, "auth_tokens/") }

// audioOut reports whether the model answers with audio.
func (c Config) audioOut() bool {
	return len(c.ResponseModalities) == 1 && c.ResponseModalities[0] == genai.ModalityAudio
}

// manualActivity reports whether automatic activity detection is off.
func (c Config) manualActivity() bool {
	if c.ActivityDetection != nil {
		return c.ActivityDetection.Disabled
	}
	if lc := c.LiveConfig; lc != nil && lc.RealtimeInputConfig != nil && lc.RealtimeInputConfig.AutomaticActivityDetection != nil {
		return lc.RealtimeInputConfig.AutomaticActivityDetection.Disabled
	}
	return false
}

// validate checks a resolved Config; every error wraps ErrInvalidConfig.
func (c Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.VertexAI {
		if c.Project == "" {
			return bad("VertexAI needs a project: set Config.Project or $GOOGLE_CLOUD_PROJECT")
		}
		if c.APIKey != "" {
			return bad("VertexAI's Live API authenticates with Credentials (OAuth), not an API key; leave APIKey empty")
		}
		if strings.ContainsAny(c.Project+c.Location, "/?&") {
			return bad("Project and Location must not contain '/', '?' or '&'")
		}
	} else if c.APIKey == "" {
		return bad("no API key: set Config.APIKey, $GOOGLE_API_KEY or $GEMINI_API_KEY")
	} else if c.Project != "" || c.Location != "" || c.Credentials != nil {
		return bad("Project, Location and Credentials are for VertexAI; the Gemini API takes an API key")
	}
	if strings.ContainsAny(c.Model, "?&") || strings.Contains(c.Model, "..") {
		return bad("model name %q contains '?', '&' or '..'", c.Model)
	}
	if c.InputSampleRate < 0 || c.OutputSampleRate < 0 {
		return bad("sample rates must be positive (input %d, output %d)", c.InputSampleRate, c.OutputSampleRate)
	}
	if len(c.ResponseModalities) != 1 {
		return bad("ResponseModalities must hold exactly one modality, got %v", c.ResponseModalities)
	}
	if m := c.ResponseModalities[0]; m != genai.ModalityAudio && m != genai.ModalityText {
		return bad("response modality %q: the Live API answers with AUDIO or TEXT", m)
	}
	if (c.Voice != "" || c.LanguageCode != "") && !c.audioOut() {
		return bad("Voice and LanguageCode need audio responses, ResponseModalities is %v", c.ResponseModalities)
	}
	if c.BaseURL != "" && !strings.Contains(c.BaseURL, "://") {
		return bad("BaseURL %q has no scheme; want ws://, wss://, http:// or https://", c.BaseURL)
	}
	if !c.VertexAI && isEphemeralToken(c.APIKey) && c.APIVersion != "v1alpha" {
		return bad("an ephemeral token needs APIVersion v1alpha, got %q", c.APIVersion)
	}
	if c.DisableContextWindowCompression && c.ContextWindowCompression != nil {
		return bad("both ContextWindowCompression and DisableContextWindowCompression are set")
	}
	tools := c.Tools
	if c.LiveConfig != nil {
		tools = append(append([]*genai.Tool(nil), c.LiveConfig.Tools...), c.Tools...)
	}
	if c.VertexAI {
		for i, t := range tools {
			if t == nil {
				return bad("tool %d is nil", i)
			}
		}
	} else if err := checkGeminiAPITools(tools); err != nil {
		return err
	}
	if lc := c.LiveConfig; lc != nil {
		if lc.SpeechConfig != nil && lc.SpeechConfig.MultiSpeakerVoiceConfig != nil {
			return bad("LiveConfig.SpeechConfig.MultiSpeakerVoiceConfig is not supported by the Live API")
		}
		if lc.HTTPOptions != nil {
			return bad("LiveConfig.HTTPOptions is not supported by the Live API; use BaseURL and APIVersion")
		}
		if !c.VertexAI && lc.ExplicitVADSignal != nil && *lc.ExplicitVADSignal {
			return bad("LiveConfig.ExplicitVADSignal is Vertex AI only, not the Gemini API")
		}
		twice := func(name string, ours, theirs bool) error {
			if ours && theirs {
				return bad("%s is set both in Config and in Config.LiveConfig; set it in one place", name)
			}
			return nil
		}
		ric := lc.RealtimeInputConfig
		for _, err := range []error{
			twice("SystemInstruction", c.SystemInstruction != "", lc.SystemInstruction != nil),
			twice("ResponseModalities", true, len(lc.ResponseModalities) > 0 && !equalModalities(lc.ResponseModalities, c.ResponseModalities)),
			twice("Voice/LanguageCode", c.Voice != "" || c.LanguageCode != "", lc.SpeechConfig != nil),
			twice("ActivityDetection", c.ActivityDetection != nil, ric != nil && ric.AutomaticActivityDetection != nil),
			twice("ContextWindowCompression", c.ContextWindowCompression != nil || c.DisableContextWindowCompression, lc.ContextWindowCompression != nil),
			twice("session resumption", true, lc.SessionResumption != nil),
			twice("input transcription", c.DisableInputTranscription, lc.InputAudioTranscription != nil),
			twice("output transcription", c.DisableOutputTranscription, lc.OutputAudioTranscription != nil),
		} {
			if err != nil {
				return err
			}
		}
	}
	return nil
}

func equalModalities(a, b []genai.Modality) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkGeminiAPITools refuses the tool settings the SDK refuses for the
// Gemini API only after it has dialed (which would leak the socket).
func checkGeminiAPITools(tools []*genai.Tool) error {
	for i, t := range tools {
		if t == nil {
			return fmt.Errorf("%w: tool %d is nil", ErrInvalidConfig, i)
		}
		var field string
		switch {
		case t.Retrieval != nil:
			field = "Retrieval"
		case t.EnterpriseWebSearch != nil:
			field = "EnterpriseWebSearch"
		case t.ParallelAISearch != nil:
			field = "ParallelAISearch"
		case t.ExaAISearch != nil:
			field = "ExaAISearch"
		case t.GoogleSearch != nil && (t.GoogleSearch.BlockingConfidence != "" || len(t.GoogleSearch.ExcludeDomains) > 0):
			field = "GoogleSearch.BlockingConfidence/ExcludeDomains"
		default:
			continue
		}
		return fmt.Errorf("%w: tool %d sets %s, which is Vertex AI only, not the Gemini API", ErrInvalidConfig, i, field)
	}
	return nil
}
