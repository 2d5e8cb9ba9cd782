package openaicompat

import (
	"net/http"
	"time"
)

// DefaultBaseURL is llama.cpp server's default address.
const DefaultBaseURL = "http://127.0.0.1:8080/v1"

// Config configures a Model. The zero value means the defaults given in
// each field's comment: a local llama.cpp server, text only.
type Config struct {
	// BaseURL is the API root, up to and including the version; requests
	// go to BaseURL + "/chat/completions". Default DefaultBaseURL
	// ("http://127.0.0.1:8080/v1"); OpenAI's is "https://api.openai.com/v1".
	BaseURL string
	// APIKey is sent as "Authorization: Bearer <APIKey>". Default none,
	// as a local server needs none. It is never read from the environment,
	// so that a key meant for one service is not sent to another.
	APIKey string
	// Model is the request's "model" field. Default: left out, which
	// llama.cpp's server accepts (it serves the model it loaded).
	Model string
	// SystemInstruction, when set, is sent as a first "system" message.
	SystemInstruction string
	// MaxTokens, when positive, limits the answer ("max_tokens").
	MaxTokens int
	// Temperature, when set, is the sampling temperature.
	Temperature *float64
	// Audio sends user audio as "input_audio" parts (16-bit PCM wrapped in
	// WAV, base64). Default false: audio is left out, for text models; feed
	// them transcripts instead.
	Audio bool
	// Images sends images and video frames as "image_url" parts with data
	// URLs. Default false: they are left out.
	Images bool
	// NoUsage leaves "stream_options": {"include_usage": true} out of the
	// request, for a server that refuses the field. Default false: the
	// request asks for the token count, and the server's usage chunk
	// becomes an EventUsage before the end of the turn.
	NoUsage bool
	// Extra holds more top-level request fields, for example
	// {"top_p": 0.9}. They never replace "messages" or "stream"; an
	// Extra "stream_options" replaces the one NoUsage controls.
	Extra map[string]any
	// HTTPClient makes the requests. Default http.DefaultClient; each
	// call's context and the two timeouts below bound it, so it needs no
	// timeout of its own.
	HTTPClient *http.Client
	// FirstByteTimeout bounds the wait from sending a request to the first
	// byte of the answer's body (a local model may first load itself or
	// read a long prompt). Default 2 minutes; negative: no limit.
	FirstByteTimeout time.Duration
	// IdleTimeout bounds the silence between two reads of an answer that
	// has started. Default 30 s; negative: no limit.
	IdleTimeout time.Duration
}

// The timeouts' defaults.
const (
	DefaultFirstByteTimeout = 2 * time.Minute
	DefaultIdleTimeout      = 30 * time.Second
)
