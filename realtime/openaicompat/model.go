package openaicompat

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime"
	"net/http"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/redact"
	"github.com/fullduplex-go/fullduplex/realtime"
)

// Model is a realtime.TurnModel over an OpenAI-compatible endpoint.
//
// A Model is safe for concurrent use; each Generate is its own request.
type Model struct {
	cfg      Config
	endpoint string
	client   *http.Client
}

var _ realtime.TurnModel = (*Model)(nil)

// New returns a Model configured by cfg. It makes no request; a bad
// BaseURL is reported by the first call.
func New(cfg Config) *Model {
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultBaseURL
	}
	client := cfg.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	return &Model{cfg: cfg, endpoint: strings.TrimRight(cfg.BaseURL, "/") + "/chat/completions", client: client}
}

// A chunk is one streamed chat-completion chunk, or a whole non-streamed
// response (Message instead of Delta), or an error object.
type chunk struct {
	Choices []struct {
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		FinishReason *string `json:"finish_reason"`
	} `json:"choices"`
	Usage *usage `json:"usage"`
	errorFields
}

// usage is the server's token count: in the last chunk when the request
// asks for it with "stream_options", in the response when not streamed.
type usage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

// event returns u as an EventUsage.
func (u *usage) event() fullduplex.StreamEvent {
	out := fullduplex.Usage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.TotalTokens}
	if u.PromptTokensDetails != nil {
		out.CachedTokens = u.PromptTokensDetails.CachedTokens
	}
	if u.CompletionTokensDetails != nil {
		out.ThoughtsTokens = u.CompletionTokensDetails.ReasoningTokens
	}
	return fullduplex.NewEvent(fullduplex.EventUsage, out)
}

// Generate streams the answer to prompt: one text Symbol per chunk with
// content, then the server's usage as an EventUsage when it reports one.
// It yields an *HTTPError for an error status or an error in the stream
// (in any of the shapes servers send), ErrNoInput when the user's turn
// holds nothing the model takes, io.ErrUnexpectedEOF when the stream
// breaks off before "[DONE]" or a finish reason, and ctx's error once ctx
// is cancelled.
func (m *Model) Generate(ctx context.Context, prompt []realtime.Turn) iter.Seq2[fullduplex.StreamItem, error] {
	return func(yield func(fullduplex.StreamItem, error) bool) {
		if err := m.generate(ctx, prompt, yield); err != nil {
			if ctx.Err() != nil {
				err = ctx.Err()
			}
			yield(nil, err)
		}
	}
}

// errStop means the consumer stopped the range: nothing more to yield.
var errStop = errors.New("stop")

func (m *Model) generate(ctx context.Context, prompt []realtime.Turn, yield func(fullduplex.StreamItem, error) bool) error {
	body, err := m.body(prompt)
	if err != nil {
		return err
	}
	payload, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("openaicompat: encode request: %w", err)
	}
	ctx, stall := watchStall(ctx, m.cfg.FirstByteTimeout, m.cfg.IdleTimeout)
	defer stall.stop()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.endpoint, bytes.NewReader(payload))
	if err != nil {
		return fmt.Errorf("openaicompat: bad BaseURL: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	if m.cfg.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+m.cfg.APIKey)
	}
	resp, err := m.client.Do(req)
	if err != nil {
		if serr := stall.err(); serr != nil {
			return serr
		}
		return fmt.Errorf("openaicompat: request to %s: %w", req.URL.Redacted(), unwrapURLError(err))
	}
	defer resp.Body.Close()
	resp.Body = stall.reader(resp.Body)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return m.statusError(resp)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	if mt == "application/json" {
		err = m.whole(resp.Body, yield)
	} else {
		err = m.stream(resp.Body, yield)
	}
	if errors.Is(err, errStop) {
		return nil
	}
	if serr := stall.err(); serr != nil {
		return serr
	}
	return err
}

// stream reads server-sent events until "[DONE]", then yields the usage.
func (m *Model) stream(body io.Reader, yield func(fullduplex.StreamItem, error) bool) error {
	events := newSSEReader(body)
	finished := false
	var last *usage
	done := func() error {
		if last != nil && !yield(last.event(), nil) {
			return errStop
		}
		return nil
	}
	for {
		data, isErr, err := events.next()
		if errors.Is(err, io.EOF) {
			if finished {
				return done() // no "[DONE]", but the answer was complete
			}
			return fmt.Errorf("openaicompat: the stream ended before the answer did: %w", io.ErrUnexpectedEOF)
		}
		if err != nil {
			return fmt.Errorf("openaicompat: read stream: %w", err)
		}
		if isErr {
			return m.httpError(0, errorText(data))
		}
		if string(bytes.TrimSpace(data)) == "[DONE]" {
			return done()
		}
		var c chunk
		if err := json.Unmarshal(data, &c); err != nil {
			return fmt.Errorf("openaicompat: malformed chunk %.200q: %w", redact.String(string(data), m.cfg.APIKey), err)
		}
		if msg, ok := c.message(); ok {
			return m.httpError(0, msg)
		}
		if c.Usage != nil {
			last = c.Usage
		}
		for _, ch := range c.Choices[:min(1, len(c.Choices))] {
			if ch.Delta.Content != "" && !yield(fullduplex.TextSymbol(ch.Delta.Content), nil) {
				return errStop
			}
			finished = finished || (ch.FinishReason != nil && *ch.FinishReason != "")
		}
	}
}

// whole reads a response that was not streamed.
func (m *Model) whole(body io.Reader, yield func(fullduplex.StreamItem, error) bool) error {
	var c chunk
	if err := json.NewDecoder(io.LimitReader(body, 64<<20)).Decode(&c); err != nil {
		return fmt.Errorf("openaicompat: malformed response: %w", err)
	}
	if msg, ok := c.message(); ok {
		return m.httpError(0, msg)
	}
	if len(c.Choices) > 0 && c.Choices[0].Message.Content != "" {
		if !yield(fullduplex.TextSymbol(c.Choices[0].Message.Content), nil) {
			return errStop
		}
	}
	if c.Usage != nil && !yield(c.Usage.event(), nil) {
		return errStop
	}
	return nil
}

// statusError reads the error of a non-2xx response.
func (m *Model) statusError(resp *http.Response) error {
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 8<<10))
	msg := errorText(raw)
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return m.httpError(resp.StatusCode, msg)
}

// unwrapURLError drops the *url.Error around a transport error: its
// message repeats the URL, which the caller already names.
func unwrapURLError(err error) error {
	if u := errors.Unwrap(err); u != nil && strings.HasPrefix(err.Error(), "Post ") {
		return u
	}
	return err
}
