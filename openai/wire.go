package openai

import (
	"encoding/json"
	"fmt"
)

// A serverEvent is one server event of the Realtime API: the union of the
// fields of the events the stream reads. Unknown fields are ignored.
type serverEvent struct {
	Type         string          `json:"type"`
	EventID      string          `json:"event_id"`
	ResponseID   string          `json:"response_id"`
	ItemID       string          `json:"item_id"`
	ContentIndex int             `json:"content_index"`
	Delta        string          `json:"delta"` // audio (base64), text, transcript or arguments
	Transcript   string          `json:"transcript"`
	Text         string          `json:"text"`
	Arguments    string          `json:"arguments"`
	CallID       string          `json:"call_id"`
	Name         string          `json:"name"`
	AudioStartMS int             `json:"audio_start_ms"`
	AudioEndMS   int             `json:"audio_end_ms"`
	Response     *wireResponse   `json:"response"`
	Item         *wireItem       `json:"item"`
	Error        *wireError      `json:"error"`
	RateLimits   []RateLimit     `json:"rate_limits"`
	Session      json.RawMessage `json:"session"`
}

type wireResponse struct {
	ID            string `json:"id"`
	Status        string `json:"status"`
	StatusDetails *struct {
		Type   string     `json:"type"`
		Reason string     `json:"reason"`
		Error  *wireError `json:"error"`
	} `json:"status_details"`
	Output []wireItem `json:"output"`
	Usage  *wireUsage `json:"usage"`
}

type wireItem struct {
	ID        string        `json:"id,omitempty"`
	Type      string        `json:"type"`
	Role      string        `json:"role,omitempty"`
	Status    string        `json:"status,omitempty"`
	Content   []wireContent `json:"content,omitempty"`
	CallID    string        `json:"call_id,omitempty"`
	Name      string        `json:"name,omitempty"`
	Arguments string        `json:"arguments,omitempty"`
	Output    string        `json:"output,omitempty"`
}

type wireContent struct {
	Type       string `json:"type"`
	Text       string `json:"text,omitempty"`
	Transcript string `json:"transcript,omitempty"`
	Audio      string `json:"audio,omitempty"`
	ImageURL   string `json:"image_url,omitempty"`
}

type wireError struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Param   string `json:"param"`
	EventID string `json:"event_id"`
}

type tokenDetails struct {
	TextTokens   int `json:"text_tokens"`
	AudioTokens  int `json:"audio_tokens"`
	ImageTokens  int `json:"image_tokens"`
	CachedTokens int `json:"cached_tokens"`
	Cached       *struct {
		TextTokens  int `json:"text_tokens"`
		AudioTokens int `json:"audio_tokens"`
		ImageTokens int `json:"image_tokens"`
	} `json:"cached_tokens_details"`
}

type wireUsage struct {
	TotalTokens  int           `json:"total_tokens"`
	InputTokens  int           `json:"input_tokens"`
	OutputTokens int           `json:"output_tokens"`
	Input        *tokenDetails `json:"input_token_details"`
	Output       *tokenDetails `json:"output_token_details"`
}

// decodeEvent parses one server frame. A frame that is not a JSON object
// with a type is an error; it never panics.
func decodeEvent(data []byte) (serverEvent, error) {
	if ev, ok := decodeFlat(data); ok && ev.Type != "" {
		return ev, nil
	}
	return decodeJSON(data)
}

// decodeJSON is decodeEvent by encoding/json, for every frame decodeFlat
// does not take.
func decodeJSON(data []byte) (serverEvent, error) {
	var ev serverEvent
	if err := json.Unmarshal(data, &ev); err != nil {
		return serverEvent{}, fmt.Errorf("openai: malformed server event: %w", err)
	}
	if ev.Type == "" {
		return serverEvent{}, fmt.Errorf("openai: server event without a type")
	}
	return ev, nil
}

// A clientEvent is one client event, marshalled as it goes out.
type clientEvent struct {
	Type         string         `json:"type"`
	EventID      string         `json:"event_id,omitempty"`
	Session      map[string]any `json:"session,omitempty"`
	Audio        string         `json:"audio,omitempty"`
	Item         *wireItem      `json:"item,omitempty"`
	ItemID       string         `json:"item_id,omitempty"`
	ContentIndex *int           `json:"content_index,omitempty"`
	AudioEndMS   *int           `json:"audio_end_ms,omitempty"`
	ResponseID   string         `json:"response_id,omitempty"`
}
