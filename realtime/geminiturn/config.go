package geminiturn

import (
	"net/http"

	"google.golang.org/genai"
)

// DefaultModel is the model used when Config.Model is empty. Prefer
// setting Config.Model from a flag.
const DefaultModel = "gemini-2.5-flash"

// DefaultOutputSampleRate labels model audio whose MIME type has no rate.
const DefaultOutputSampleRate = 24000

// Config configures a Model. The zero value means the defaults given in
// each field's comment. New copies it; the pointers it holds must not be
// changed while the Model is in use.
type Config struct {
	// Model is the Gemini model, e.g. "gemini-2.5-flash". Default
	// DefaultModel.
	Model string
	// APIKey authenticates the requests. Default $GOOGLE_API_KEY, then
	// $GEMINI_API_KEY.
	APIKey string
	// BaseURL is the REST endpoint's base URL: "http://127.0.0.1:PORT"
	// reaches a geminiturntest server. Default Google's.
	BaseURL string
	// APIVersion is the API version in the request path. Default "v1beta".
	APIVersion string
	// SystemInstruction is the system prompt. Default none.
	SystemInstruction string
	// GenerateConfig is passed to every call for every setting the fields
	// above do not cover (temperature, thinking, response modalities, ...).
	// New refuses a SystemInstruction given both here and above. Default nil.
	GenerateConfig *genai.GenerateContentConfig
	// OutputSampleRate labels model audio whose MIME type carries no rate.
	// Default 24000.
	OutputSampleRate int
	// HTTPClient makes the requests. Default: the genai SDK's.
	HTTPClient *http.Client
}
