package main

import (
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/internal/apikey"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// newStream returns the stream of the chosen -backend — the one place where
// the backends differ — and a cleanup that stops any local fake. Without
// the backend's API key (or with -offline) a local echo model answers.
func newStream(o options, log io.Writer) (fullduplex.DuplexStream, func(), error) {
	switch o.backend {
	case "gemini", "":
		cfg := gemini.Config{Model: o.model, Voice: o.voice, SystemInstruction: o.system}
		stop := offline.Use(&cfg, o.offline, log)
		return gemini.NewStream(cfg), stop, nil
	case "openai":
		cfg := openai.Config{Model: o.model, Voice: o.voice, Instructions: o.system}
		stop := func() {}
		if o.offline || apikey.OpenAI() == "" {
			if !o.offline {
				fmt.Fprintln(log, "No API key: set OPENAI_API_KEY to talk to OpenAI's Realtime API.")
			}
			srv := openaitest.NewServer(openaitest.Options{Echo: true})
			cfg.BaseURL, cfg.APIKey, stop = srv.URL(), srv.APIKey(), srv.Close
			fmt.Fprintln(log, "Offline mode: a local echo model answers (it repeats what it hears).")
		}
		return openai.NewStream(cfg), stop, nil
	}
	return nil, nil, fmt.Errorf("unknown -backend %q: want gemini or openai", o.backend)
}

// speaker names the model on the transcript's lines.
func speaker(backend string) string {
	if backend == "" {
		return "gemini"
	}
	return backend
}
