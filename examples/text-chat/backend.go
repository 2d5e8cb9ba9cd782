package main

import (
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/internal/apikey"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
)

type options struct {
	backend, model, url, system string
	offline                     bool
	observe                     console.Observe
}

// newStream returns the stream of the chosen backend — the one line where
// the backends differ — and a cleanup that stops any local fake.
func newStream(o options, log io.Writer) (fullduplex.DuplexStream, func(), error) {
	none := func() {}
	switch o.backend {
	case "live":
		cfg := gemini.Config{Model: o.model, SystemInstruction: o.system}
		stop := offline.Use(&cfg, o.offline, log)
		return gemini.NewStream(cfg), stop, nil

	case "turn":
		cfg := geminiturn.Config{Model: o.model, SystemInstruction: o.system}
		stop := none
		if o.offline || !offline.KeyFromEnv() {
			if !o.offline {
				fmt.Fprintln(log, "No API key: set GOOGLE_API_KEY (or GEMINI_API_KEY) to talk to Gemini.")
			}
			srv := geminiturntest.NewServer()
			cfg.BaseURL, cfg.APIKey, stop = srv.URL(), "offline", srv.Close
			fmt.Fprintln(log, "Offline mode: a local fake Gemini echoes what you type.")
		}
		model, err := geminiturn.New(cfg)
		if err != nil {
			stop()
			return nil, none, err
		}
		return realtime.NewStream(model, realtime.Config{}), stop, nil

	case "openai":
		cfg := openai.Config{Model: o.model, Instructions: o.system}
		stop := none
		if o.offline || apikey.OpenAI() == "" {
			if !o.offline {
				fmt.Fprintln(log, "No API key: set OPENAI_API_KEY to talk to OpenAI's Realtime API.")
			}
			srv := openaitest.NewServer(openaitest.Options{Echo: true})
			cfg.BaseURL, cfg.APIKey, stop = srv.URL(), srv.APIKey(), srv.Close
			fmt.Fprintln(log, "Offline mode: a local fake OpenAI Realtime server echoes what you type.")
		}
		return openai.NewStream(cfg), stop, nil

	case "openai-compatible":
		cfg := openaicompat.Config{BaseURL: o.url, Model: o.model, SystemInstruction: o.system}
		stop := none
		if o.offline {
			srv := openaicompattest.NewServer()
			cfg.BaseURL, stop = srv.URL(), srv.Close
			fmt.Fprintln(log, "Offline mode: a local fake OpenAI-compatible server echoes what you type.")
		}
		return realtime.NewStream(openaicompat.New(cfg), realtime.Config{}), stop, nil
	}
	return nil, none, fmt.Errorf("unknown -backend %q: want live, turn, openai or openai-compatible", o.backend)
}

// speaker names the model on the transcript's lines.
func speaker(backend string) string {
	switch backend {
	case "live", "turn":
		return "gemini"
	case "openai":
		return "openai"
	}
	return "model"
}
