package openai

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/apikey"
)

// DefaultModel is the model used when Config.Model is empty: OpenAI's
// general-availability realtime model as of autumn 2026. Prefer setting
// Config.Model from a flag.
const DefaultModel = "gpt-realtime"

// DefaultBaseURL is the service's base URL; the stream dials
// {BaseURL}/realtime?model=M.
const DefaultBaseURL = "wss://api.openai.com/v1"

// Default values of the Config fields whose zero value means "default".
const (
	DefaultInputSampleRate  = 16000
	DefaultTranscription    = "gpt-4o-mini-transcribe"
	DefaultSessionCap       = 55 * time.Minute
	DefaultReceiveBuffer    = 512
	DefaultConnectTimeout   = 15 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
	DefaultMaxReconnects    = 3
	DefaultReconnectBackoff = 200 * time.Millisecond
	DefaultCloseSendWait    = 10 * time.Second
	DefaultReseedItems      = 200
	DefaultSendBuffer       = 8 << 20
)

// ErrInvalidConfig marks a Config that Connect refused before dialing.
var ErrInvalidConfig = errors.New("openai: invalid config")

// A Format is an audio format of the Realtime API.
type Format string

// The formats. PCM is 16-bit little-endian mono at 24 kHz; the G.711 laws
// are 8 kHz, one byte per sample, as phone lines carry them.
const (
	FormatPCM  Format = "audio/pcm"
	FormatPCMU Format = "audio/pcmu" // G.711 μ-law
	FormatPCMA Format = "audio/pcma" // G.711 A-law
)

// rate returns the sample rate of f on the wire.
func (f Format) rate() int {
	if f == FormatPCM {
		return 24000
	}
	return 8000
}

// bytesPerSample returns how many wire bytes one sample of f takes.
func (f Format) bytesPerSample() int {
	if f == FormatPCM {
		return 2
	}
	return 1
}

// bytesPerMS returns how many wire bytes one millisecond of f takes.
func (f Format) bytesPerMS() int {
	if f == FormatPCM {
		return 48
	}
	return 8
}

// Turn detection types (TurnDetection.Type).
const (
	ServerVAD   = "server_vad"
	SemanticVAD = "semantic_vad"
	NoDetection = "none" // push-to-talk: SendEnd commits the audio and asks for an answer
)

// TurnDetection configures how the service finds the end of the user's
// turn. The zero value is server_vad with the service's settings. A plain
// value.
type TurnDetection struct {
	// Type is ServerVAD (default), SemanticVAD or NoDetection.
	Type string
	// Threshold is server_vad's activation threshold, 0 to 1. Default: the
	// service's (0.5).
	Threshold float64
	// PrefixPadding is the audio kept before detected speech (server_vad).
	// Default: the service's (300 ms).
	PrefixPadding time.Duration
	// SilenceDuration is the silence that ends a turn (server_vad).
	// Default: the service's (500 ms).
	SilenceDuration time.Duration
	// IdleTimeout makes the service say input_audio_buffer.timeout_triggered
	// (and answer) after this long without speech (server_vad). Default none.
	IdleTimeout time.Duration
	// Eagerness is semantic_vad's "low", "medium", "high" or "auto".
	// Default: the service's ("auto").
	Eagerness string
	// NoInterrupt keeps the model talking when the user starts to speak
	// (interrupt_response false): speech then cuts nothing. Default false:
	// speech cuts the answer off (barge-in).
	NoInterrupt bool
}

// Config configures a Stream. The zero value is usable: every zero field
// means the default written in its comment. A Config is a value; NewStream
// copies it (the maps it holds must not be changed while a stream uses them).
type Config struct {
	// Model is the realtime model, e.g. "gpt-realtime". Default DefaultModel.
	Model string
	// Instructions is the system prompt. Default: the service's.
	Instructions string
	// Voice is the voice of audio answers, e.g. "marin" or "cedar". Default:
	// the service's. The service fixes it once the model has spoken.
	Voice string
	// InputSampleRate is the rate of the audio symbols sent (16-bit mono
	// PCM); the stream resamples it to the rate of InputFormat. Audio at the
	// wire rate itself (24 kHz for PCM, 8 kHz for G.711) is taken too; any
	// other rate is refused with an error wrapping fullduplex.ErrInvalidSymbol.
	// Default 16000.
	InputSampleRate int
	// InputFormat is the audio format on the wire towards the service.
	// Default FormatPCM (24 kHz).
	InputFormat Format
	// OutputFormat is the audio format the service answers in. Audio symbols
	// are always 16-bit PCM: G.711 answers are decoded to 8 kHz PCM.
	// Default FormatPCM (24 kHz).
	OutputFormat Format
	// TextOnly makes the model answer with text instead of audio
	// (output_modalities ["text"]). Default false: audio and its transcript.
	TextOnly bool
	// Transcription is the model that transcribes the user's speech (text
	// symbols with role "user"), e.g. "gpt-4o-transcribe" or "whisper-1".
	// Default DefaultTranscription; see DisableTranscription.
	Transcription string
	// DisableTranscription turns the transcription of the user's speech off.
	DisableTranscription bool
	// TurnDetection configures the end-of-turn detection. Default server_vad.
	TurnDetection TurnDetection
	// MaxOutputTokens bounds each answer. Default: the service's ("inf").
	// (The GA session has no temperature: the service refuses one.)
	MaxOutputTokens int
	// Tools are passed to the service as they are (e.g. MCP servers), after
	// the functions a DuplexSession declares through DeclareTools. Default none.
	Tools []map[string]any
	// Session is merged into the session object of every session.update,
	// for the settings the fields above do not cover ("tool_choice",
	// "tracing", "truncation", "audio": {"input": {"noise_reduction": ...}},
	// ...). A setting may be given in one place only: Connect refuses a
	// key the fields above already set. Default nil.
	Session map[string]any
	// APIKey authenticates the stream; an ephemeral client secret (see
	// CreateClientSecret) works too. Default $OPENAI_API_KEY.
	APIKey string
	// BaseURL is the service's base URL: "ws://127.0.0.1:PORT/v1" reaches an
	// openaitest server; an http(s) URL is dialed as ws(s). Default
	// DefaultBaseURL.
	BaseURL string
	// Header holds extra handshake headers (OpenAI-Organization,
	// OpenAI-Project, ...). Default none.
	Header http.Header
	// SessionCap is how long one session is used before the stream moves,
	// at the next quiet moment, to a new one: the service ends a session
	// after 60 minutes without warning. Default 55 minutes.
	SessionCap time.Duration
	// ReseedItems is how many of the latest conversation items a new session
	// is given, as text, after a reconnect. Default 200.
	ReseedItems int
	// MaxReconnects is how many reconnect attempts in a row may fail before
	// the stream ends with an error. Default 3; negative means never
	// reconnect (an unexpected close ends the stream).
	MaxReconnects int
	// ReconnectBackoff is the wait before the second attempt; it doubles per
	// failed attempt up to 5 s. The first attempt is immediate. Default 200ms.
	ReconnectBackoff time.Duration
	// ConnectTimeout bounds each reconnect's handshake (Connect itself is
	// bounded by its ctx). Default 15 s.
	ConnectTimeout time.Duration
	// WriteTimeout bounds each websocket write; a write that takes longer
	// breaks the connection (and the stream reconnects). Default 10 s.
	WriteTimeout time.Duration
	// ReceiveBuffer is how many received items wait for Receive before the
	// stream stops reading (backpressure). Default 512.
	ReceiveBuffer int
	// SendBuffer is how many bytes of client events may wait to be written
	// (during a reconnect, or on a slow network) before Send blocks. Default
	// 8 MiB.
	SendBuffer int
	// CloseSendWait is how long, after CloseSend, the stream waits for an
	// answer it asked for that has not started. Default 10 s.
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
	if c.InputFormat == "" {
		c.InputFormat = FormatPCM
	}
	if c.OutputFormat == "" {
		c.OutputFormat = FormatPCM
	}
	if c.Transcription == "" {
		c.Transcription = DefaultTranscription
	}
	if c.TurnDetection.Type == "" {
		c.TurnDetection.Type = ServerVAD
	}
	if c.APIKey == "" {
		c.APIKey = apikey.OpenAI()
	}
	if c.BaseURL == "" {
		c.BaseURL = DefaultBaseURL
	}
	if c.SessionCap <= 0 {
		c.SessionCap = DefaultSessionCap
	}
	if c.ReseedItems <= 0 {
		c.ReseedItems = DefaultReseedItems
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
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.ReceiveBuffer <= 0 {
		c.ReceiveBuffer = DefaultReceiveBuffer
	}
	if c.SendBuffer <= 0 {
		c.SendBuffer = DefaultSendBuffer
	}
	if c.CloseSendWait <= 0 {
		c.CloseSendWait = DefaultCloseSendWait
	}
	return c
}

// vad reports whether the service detects turns (server or semantic VAD).
func (c Config) vad() bool { return c.TurnDetection.Type != NoDetection }

// validate checks a resolved Config; every error wraps ErrInvalidConfig.
func (c Config) validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrInvalidConfig}, args...)...)
	}
	if c.APIKey == "" {
		return bad("no API key: set Config.APIKey or $OPENAI_API_KEY")
	}
	if strings.ContainsAny(c.Model, "?&#/ ") {
		return bad("model name %q contains '?', '&', '#', '/' or a space", c.Model)
	}
	for _, f := range []Format{c.InputFormat, c.OutputFormat} {
		if f != FormatPCM && f != FormatPCMU && f != FormatPCMA {
			return bad("audio format %q: want audio/pcm, audio/pcmu or audio/pcma", f)
		}
	}
	if c.InputSampleRate < 1000 || c.InputSampleRate > 768000 {
		return bad("InputSampleRate %d: want 1000 to 768000", c.InputSampleRate)
	}
	td := c.TurnDetection
	switch td.Type {
	case ServerVAD:
		if td.Eagerness != "" {
			return bad("Eagerness is for semantic_vad, TurnDetection.Type is server_vad")
		}
		if td.Threshold < 0 || td.Threshold > 1 {
			return bad("TurnDetection.Threshold %g: want 0 to 1", td.Threshold)
		}
	case SemanticVAD:
		if td.Threshold != 0 || td.PrefixPadding != 0 || td.SilenceDuration != 0 || td.IdleTimeout != 0 {
			return bad("Threshold, PrefixPadding, SilenceDuration and IdleTimeout are for server_vad, TurnDetection.Type is semantic_vad")
		}
		switch td.Eagerness {
		case "", "low", "medium", "high", "auto":
		default:
			return bad("TurnDetection.Eagerness %q: want low, medium, high or auto", td.Eagerness)
		}
	case NoDetection:
		if td != (TurnDetection{Type: NoDetection}) {
			return bad("TurnDetection.Type none takes no other setting")
		}
	default:
		return bad("TurnDetection.Type %q: want server_vad, semantic_vad or none", td.Type)
	}
	if c.MaxOutputTokens < 0 {
		return bad("MaxOutputTokens %d is negative", c.MaxOutputTokens)
	}
	if c.Voice != "" && c.TextOnly {
		return bad("Voice is for audio answers, TextOnly is set")
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || u.Host == "" {
		return bad("BaseURL %q is not an absolute URL", c.BaseURL)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return bad("BaseURL %q: want ws://, wss://, http:// or https://", c.BaseURL)
	}
	return nil
}

// dialURL returns the websocket URL of the session.
func (c Config) dialURL() string {
	u, _ := url.Parse(c.BaseURL)
	switch u.Scheme {
	case "http":
		u.Scheme = "ws"
	case "https":
		u.Scheme = "wss"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/realtime"
	q := u.Query()
	q.Set("model", c.Model)
	u.RawQuery = q.Encode()
	return u.String()
}

// httpURL returns the REST URL of path under BaseURL.
func (c Config) httpURL(path string) string {
	u, _ := url.Parse(c.BaseURL)
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = ""
	return u.String()
}
