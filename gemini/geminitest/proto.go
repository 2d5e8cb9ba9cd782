package geminitest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"strings"
)

// The service parses client messages as proto JSON: a field may be spelled
// in lowerCamelCase or in its proto (snake_case) name, and bytes may be
// standard or URL-safe base64, padded or not. The Python SDK sends
// snake_case and URL-safe base64. normalize rewrites a message into the
// camelCase, padded standard base64 form the genai types parse, so the
// server accepts what the service accepts.

// freeForm are the fields whose values are user data (google.protobuf.Struct
// and JSON schemas): their keys are kept as they are.
var freeForm = map[string]bool{
	"args": true, "response": true, "parametersJsonSchema": true,
	"responseJsonSchema": true, "parameters": true, "responseSchema": true,
}

// decodeClientMessage parses a client frame into m. A frame with no '_'
// and no \u escape has no snake_case name and no URL-safe base64 that
// normalize would rewrite, so it is decoded as it is, in one pass (the
// official SDKs' frames, audio included); any other frame, or one that does
// not decode as it is, goes through normalize. The two paths agree except
// on a frame that repeats a key, where the one-pass decode merges objects
// and normalize keeps the last.
func decodeClientMessage(data []byte, m *ClientMessage) {
	if bytes.IndexByte(data, '_') < 0 && !bytes.Contains(data, []byte(`\u`)) && json.Unmarshal(data, m) == nil {
		return
	}
	*m = ClientMessage{}
	_ = json.Unmarshal(normalize(data), m)
}

// normalize returns data rewritten as described above, or data itself if
// it is not a JSON object.
func normalize(data []byte) []byte {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return data
	}
	if _, ok := v.(map[string]any); !ok {
		return data
	}
	out, err := json.Marshal(normalizeValue(v))
	if err != nil {
		return data
	}
	return out
}

func normalizeValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			ck := camel(k)
			if freeForm[ck] {
				out[ck] = x
				continue
			}
			out[ck] = normalizeValue(x)
		}
		// A Blob: {"data": base64, "mimeType": ...}.
		if d, ok := out["data"].(string); ok {
			if _, blob := out["mimeType"]; blob {
				out["data"] = stdBase64(d)
			}
		}
		return out
	case []any:
		for i := range v {
			v[i] = normalizeValue(v[i])
		}
		return v
	}
	return v
}

// camel turns a proto field name (realtime_input) into its JSON name
// (realtimeInput); a name without underscores is returned as it is.
func camel(k string) string {
	if !strings.Contains(k, "_") {
		return k
	}
	var b strings.Builder
	up := false
	for _, r := range k {
		switch {
		case r == '_':
			up = true
		case up && r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
			up = false
		default:
			b.WriteRune(r)
			up = false
		}
	}
	return b.String()
}

// stdBase64 re-encodes URL-safe or unpadded base64 as padded standard
// base64; anything else is returned as it is (and then fails to parse, as
// it would on the service).
func stdBase64(s string) string {
	if !strings.ContainsAny(s, "-_") && len(s)%4 == 0 {
		return s
	}
	t := strings.TrimRight(s, "=")
	for _, enc := range []*base64.Encoding{base64.RawURLEncoding, base64.RawStdEncoding} {
		if b, err := enc.DecodeString(t); err == nil {
			return base64.StdEncoding.EncodeToString(b)
		}
	}
	return s
}
