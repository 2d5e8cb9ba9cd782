package main

import (
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/apikey"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// newBackend returns what makes each room's stream for -backend (as
// mic-chat chooses it) and a cleanup that stops any local fake. Without the
// backend's API key (or with -offline) a local echo model answers.
func newBackend(o options, log io.Writer) (func() fullduplex.DuplexStream, func(), error) {
	const offlineNote = "Offline mode: a local echo model answers (it repeats what it hears)."
	switch o.backend {
	case "gemini", "":
		cfg := gemini.Config{Model: o.model, Voice: o.voice, SystemInstruction: o.system}
		stop := func() {}
		if o.offline || apikey.Gemini() == "" {
			if !o.offline {
				fmt.Fprintln(log, "No API key: set GOOGLE_API_KEY (or GEMINI_API_KEY) to talk to Gemini.")
			}
			srv := geminitest.NewServer(geminitest.Options{Echo: true})
			cfg.BaseURL, cfg.APIKey, stop = srv.URL(), srv.APIKey(), srv.Close
			fmt.Fprintln(log, offlineNote)
		}
		return func() fullduplex.DuplexStream { return gemini.NewStream(cfg) }, stop, nil
	case "openai":
		cfg := openai.Config{Model: o.model, Voice: o.voice, Instructions: o.system}
		stop := func() {}
		if o.offline || apikey.OpenAI() == "" {
			if !o.offline {
				fmt.Fprintln(log, "No API key: set OPENAI_API_KEY to talk to OpenAI's Realtime API.")
			}
			srv := openaitest.NewServer(openaitest.Options{Echo: true})
			cfg.BaseURL, cfg.APIKey, stop = srv.URL(), srv.APIKey(), srv.Close
			fmt.Fprintln(log, offlineNote)
		}
		return func() fullduplex.DuplexStream { return openai.NewStream(cfg) }, stop, nil
	}
	return nil, nil, fmt.Errorf("unknown -backend %q: want gemini or openai", o.backend)
}
