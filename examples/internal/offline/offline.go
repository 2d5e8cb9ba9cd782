// Package offline lets the examples run without an API key or a network:
// it points a gemini.Config at a local geminitest server playing the echo
// model.
package offline

import (
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/apikey"
)

// KeyFromEnv reports whether a Gemini API key is set in the environment
// (see internal/apikey).
func KeyFromEnv() bool { return apikey.Gemini() != "" }

// Use points cfg at a local echo-model server when force is set or no API
// key is available, telling w why, and returns a function that stops the
// server (a no-op when the real service is used).
func Use(cfg *gemini.Config, force bool, w io.Writer) (stop func()) {
	if !force && (cfg.APIKey != "" || KeyFromEnv()) {
		return func() {}
	}
	if !force {
		fmt.Fprintln(w, "No API key: set GOOGLE_API_KEY (or GEMINI_API_KEY) to an API key from Google AI Studio to talk to Gemini.")
	}
	srv := geminitest.NewServer(geminitest.Options{Echo: true})
	cfg.BaseURL, cfg.APIKey = srv.URL(), srv.APIKey()
	fmt.Fprintln(w, "Offline mode: a local echo model answers (it repeats what it hears).")
	return srv.Close
}
