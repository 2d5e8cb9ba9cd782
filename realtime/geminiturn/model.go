package geminiturn

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/apikey"
	"github.com/fullduplex-go/fullduplex/internal/redact"
	"github.com/fullduplex-go/fullduplex/realtime"
	"google.golang.org/genai"
)

// Model is a realtime.TurnModel over Gemini's GenerateContentStream.
//
// A Model is safe for concurrent use; each Generate is its own request.
type Model struct {
	cfg    Config
	client *genai.Client
}

var _ realtime.TurnModel = (*Model)(nil)

// ErrNoAPIKey is returned by New when no API key is configured.
var ErrNoAPIKey = errors.New("geminiturn: no API key: set Config.APIKey, $GOOGLE_API_KEY or $GEMINI_API_KEY")

// ErrNoInput is yielded when the user's last turn holds nothing Gemini
// takes.
var ErrNoInput = errors.New("geminiturn: the user's turn has nothing to send")

// New returns a Model configured by cfg. It makes no request.
func New(cfg Config) (*Model, error) {
	if cfg.Model == "" {
		cfg.Model = DefaultModel
	}
	if cfg.APIKey == "" {
		cfg.APIKey = apikey.Gemini()
	}
	if cfg.APIKey == "" {
		return nil, ErrNoAPIKey
	}
	if cfg.OutputSampleRate == 0 {
		cfg.OutputSampleRate = DefaultOutputSampleRate
	}
	if cfg.SystemInstruction != "" && cfg.GenerateConfig != nil && cfg.GenerateConfig.SystemInstruction != nil {
		return nil, errors.New("geminiturn: SystemInstruction is set both in Config and in Config.GenerateConfig")
	}
	cc := &genai.ClientConfig{
		APIKey:      cfg.APIKey,
		Backend:     genai.BackendGeminiAPI,
		HTTPClient:  cfg.HTTPClient,
		HTTPOptions: genai.HTTPOptions{BaseURL: cfg.BaseURL, APIVersion: cfg.APIVersion},
	}
	client, err := genai.NewClient(context.Background(), cc)
	if err != nil {
		return nil, fmt.Errorf("geminiturn: %w", redact.Error(err, cfg.APIKey))
	}
	return &Model{cfg: cfg, client: client}, nil
}

// Generate streams the answer to prompt: text parts as text symbols
// (thoughts left out), inline audio and images as audio and image symbols,
// then the call's token counts as an EventUsage (Data: fullduplex.Usage)
// when the service reports them. A blocked prompt or a failed request is
// yielded as an error; it wraps the SDK's genai.APIError where there is
// one.
func (m *Model) Generate(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fullduplex.StreamItem, error] {
	return func(yield func(fullduplex.StreamItem, error) bool) {
		contents, err := m.contents(prompt)
		if err != nil {
			yield(nil, err)
			return
		}
		var last *genai.GenerateContentResponseUsageMetadata
		for resp, err := range m.client.Models.GenerateContentStream(ctx, m.cfg.Model, contents, m.callConfig()) {
			if err != nil {
				if ctx.Err() != nil {
					err = ctx.Err()
				} else {
					err = m.wrap(err)
				}
				yield(nil, err)
				return
			}
			if resp.PromptFeedback != nil && resp.PromptFeedback.BlockReason != "" {
				yield(nil, fmt.Errorf("geminiturn: prompt blocked: %s %s", resp.PromptFeedback.BlockReason, resp.PromptFeedback.BlockReasonMessage))
				return
			}
			if resp.UsageMetadata != nil {
				last = resp.UsageMetadata
			}
			for _, sym := range m.symbols(resp) {
				if !yield(sym, nil) {
					return
				}
			}
		}
		if last != nil {
			yield(fullduplex.NewEvent(fullduplex.EventUsage, usage(last)), nil)
		}
	}
}

// callConfig returns the per-call config: a copy of GenerateConfig with
// the system instruction.
func (m *Model) callConfig() *genai.GenerateContentConfig {
	var c genai.GenerateContentConfig
	if m.cfg.GenerateConfig != nil {
		c = *m.cfg.GenerateConfig
	}
	if m.cfg.SystemInstruction != "" {
		c.SystemInstruction = genai.NewContentFromText(m.cfg.SystemInstruction, genai.RoleUser)
	}
	return &c
}

// symbols converts the first candidate's parts.
func (m *Model) symbols(resp *genai.GenerateContentResponse) []fullduplex.Symbol {
	if resp == nil || len(resp.Candidates) == 0 || resp.Candidates[0] == nil || resp.Candidates[0].Content == nil {
		return nil
	}
	var out []fullduplex.Symbol
	for _, p := range resp.Candidates[0].Content.Parts {
		switch {
		case p == nil || p.Thought:
		case p.Text != "":
			out = append(out, fullduplex.TextSymbol(p.Text))
		case p.InlineData != nil && len(p.InlineData.Data) > 0:
			out = append(out, m.blobSymbol(p.InlineData))
		}
	}
	return out
}

// blobSymbol converts inline data: 16-bit PCM ("audio/pcm", "audio/L16")
// to an audio symbol, anything else to an image symbol with its MIME type.
func (m *Model) blobSymbol(b *genai.Blob) fullduplex.Symbol {
	mt := strings.ToLower(b.MIMEType)
	if strings.HasPrefix(mt, "audio/pcm") || strings.HasPrefix(mt, "audio/l16") {
		rate := mimeRate(mt)
		if rate <= 0 {
			rate = m.cfg.OutputSampleRate
		}
		return fullduplex.AudioSymbol(b.Data, rate)
	}
	return fullduplex.ImageSymbol(b.Data, b.MIMEType)
}

// wrap prefixes an SDK error, keeping it reachable with errors.As, and
// makes sure the API key is nowhere in its chain.
func (m *Model) wrap(err error) error {
	return fmt.Errorf("geminiturn: %w", redact.Error(err, m.cfg.APIKey))
}
