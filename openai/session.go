package openai

import (
	"fmt"

	"github.com/fullduplex-go/fullduplex"
)

// sessionObject returns the session of a session.update: what the Config
// and the declared tools set, with Config.Session merged in.
func sessionObject(c Config, tools []fullduplex.Tool) (map[string]any, error) {
	in := map[string]any{"format": format(c.InputFormat)}
	if !c.DisableTranscription {
		in["transcription"] = map[string]any{"model": c.Transcription}
	}
	in["turn_detection"] = turnDetection(c.TurnDetection)
	out := map[string]any{"format": format(c.OutputFormat)}
	if c.Voice != "" {
		out["voice"] = c.Voice
	}
	s := map[string]any{
		"type":  "realtime",
		"audio": map[string]any{"input": in, "output": out},
	}
	if c.TextOnly {
		s["output_modalities"] = []string{"text"}
	} else {
		s["output_modalities"] = []string{"audio"}
	}
	if c.Instructions != "" {
		s["instructions"] = c.Instructions
	}
	if c.MaxOutputTokens > 0 {
		s["max_output_tokens"] = c.MaxOutputTokens
	}
	var ts []any
	for _, t := range tools {
		params := t.Parameters
		if params == nil {
			params = map[string]any{"type": "object", "properties": map[string]any{}}
		}
		ts = append(ts, map[string]any{"type": "function", "name": t.Name, "description": t.Description, "parameters": params})
	}
	for _, t := range c.Tools {
		ts = append(ts, t)
	}
	if len(ts) > 0 {
		s["tools"] = ts
	}
	if err := merge(s, c.Session, "session"); err != nil {
		return nil, err
	}
	return s, nil
}

func format(f Format) map[string]any {
	if f == FormatPCM {
		return map[string]any{"type": string(f), "rate": 24000}
	}
	return map[string]any{"type": string(f)}
}

// turnDetection returns the turn_detection object, or nil (JSON null: none).
func turnDetection(td TurnDetection) any {
	if td.Type == NoDetection {
		return nil
	}
	m := map[string]any{"type": td.Type}
	if td.NoInterrupt {
		m["interrupt_response"] = false
	}
	switch td.Type {
	case ServerVAD:
		if td.Threshold > 0 {
			m["threshold"] = td.Threshold
		}
		if td.PrefixPadding > 0 {
			m["prefix_padding_ms"] = td.PrefixPadding.Milliseconds()
		}
		if td.SilenceDuration > 0 {
			m["silence_duration_ms"] = td.SilenceDuration.Milliseconds()
		}
		if td.IdleTimeout > 0 {
			m["idle_timeout_ms"] = td.IdleTimeout.Milliseconds()
		}
	case SemanticVAD:
		if td.Eagerness != "" {
			m["eagerness"] = td.Eagerness
		}
	}
	return m
}

// merge copies extra into dst, descending into objects both hold; a key
// both hold with a value that is not an object on both sides is refused.
func merge(dst, extra map[string]any, path string) error {
	for k, v := range extra {
		have, ok := dst[k]
		if !ok {
			dst[k] = v
			continue
		}
		hm, ok1 := have.(map[string]any)
		vm, ok2 := v.(map[string]any)
		if !ok1 || !ok2 {
			return fmt.Errorf("%w: Config.Session sets %s.%s, which the Config's fields already set; set it in one place", ErrInvalidConfig, path, k)
		}
		// Copy the stream's own map before changing it.
		cp := make(map[string]any, len(hm))
		for kk, vv := range hm {
			cp[kk] = vv
		}
		if err := merge(cp, vm, path+"."+k); err != nil {
			return err
		}
		dst[k] = cp
	}
	return nil
}
