package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/redact"
)

// A ClientSecret is an ephemeral key for a browser (or any client that
// must not hold the API key) to open a Realtime session itself, configured
// as the Config it was made from. A plain value.
type ClientSecret struct {
	Value     string    // "ek_...": the bearer key for the client
	ExpiresAt time.Time // the key cannot open a session after this
}

// CreateClientSecret asks the service for an ephemeral key
// (POST {BaseURL}/realtime/client_secrets) that opens a session with cfg's
// model and settings, valid for ttl (0: the service's default, 10 minutes;
// the service takes 10 s to 2 h). cfg is resolved as NewStream resolves it,
// so the API key comes from $OPENAI_API_KEY by default and BaseURL may point
// at an openaitest server. The request is bounded by ctx and uses
// http.DefaultClient. Errors never hold the API key.
func CreateClientSecret(ctx context.Context, cfg Config, ttl time.Duration) (ClientSecret, error) {
	rc := cfg.resolved()
	if err := rc.validate(); err != nil {
		return ClientSecret{}, err
	}
	sess, err := sessionObject(rc, nil)
	if err != nil {
		return ClientSecret{}, err
	}
	sess["model"] = rc.Model
	req := map[string]any{"session": sess}
	if ttl > 0 {
		req["expires_after"] = map[string]any{"anchor": "created_at", "seconds": int(ttl.Seconds())}
	}
	body, err := json.Marshal(req)
	if err != nil {
		return ClientSecret{}, fmt.Errorf("openai: client secret: %w", err)
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, rc.httpURL("/realtime/client_secrets"), bytes.NewReader(body))
	if err != nil {
		return ClientSecret{}, redactErr(fmt.Errorf("openai: client secret: %w", err), rc.APIKey)
	}
	for k, v := range rc.Header {
		hr.Header[k] = append([]string(nil), v...)
	}
	hr.Header.Set("Authorization", "Bearer "+rc.APIKey)
	hr.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		return ClientSecret{}, redactErr(fmt.Errorf("openai: client secret: %w", err), rc.APIKey)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return ClientSecret{}, redactErr(fmt.Errorf("openai: client secret: %w", err), rc.APIKey)
	}
	if resp.StatusCode != http.StatusOK {
		return ClientSecret{}, &HTTPError{Status: resp.StatusCode, Body: redact.Cut(string(data), 1000, rc.APIKey)}
	}
	var out struct {
		Value     string `json:"value"`
		ExpiresAt int64  `json:"expires_at"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.Value == "" {
		return ClientSecret{}, fmt.Errorf("openai: client secret: unexpected answer: %s", redact.Cut(string(data), 200, rc.APIKey))
	}
	return ClientSecret{Value: out.Value, ExpiresAt: time.Unix(out.ExpiresAt, 0)}, nil
}
