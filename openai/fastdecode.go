package openai

import (
	"strings"
	"unicode/utf8"
)

// decodeFlat is decodeEvent's fast path for the events that come by the
// hundred a second (the deltas of an answer): a JSON object whose values
// are all plain strings (no escapes), integers, or null, read in one pass
// with no reflection, into the fields encoding/json would fill. Anything
// else (a nested value, an escape, a number that is not a plain int, a key
// that matches a field only case-insensitively, invalid UTF-8) it leaves to
// encoding/json: ok false. When ok, ev is what json.Unmarshal gives (a
// fuzz test holds it to that).
func decodeFlat(data []byte) (ev serverEvent, ok bool) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return ev, false
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		return ev, skipSpace(data, i+1) == len(data)
	}
	for {
		key, j, ok := flatString(data, i)
		if !ok {
			return ev, false
		}
		i = skipSpace(data, j)
		if i >= len(data) || data[i] != ':' {
			return ev, false
		}
		i = skipSpace(data, i+1)
		if i >= len(data) {
			return ev, false
		}
		var str []byte
		var num int
		var isNum, isNull bool
		switch c := data[i]; {
		case c == '"':
			str, i, ok = flatString(data, i)
		case c == '-' || c >= '0' && c <= '9':
			num, i, ok = flatInt(data, i)
			isNum = true
		case c == 'n' && strings.HasPrefix(string(data[i:min(i+4, len(data))]), "null"):
			i, isNull, ok = i+4, true, true
		default:
			return ev, false // an object, an array, true or false: encoding/json's job
		}
		if !ok || !setFlat(&ev, key, str, num, isNum, isNull) {
			return ev, false
		}
		i = skipSpace(data, i)
		if i >= len(data) {
			return ev, false
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case '}':
			return ev, skipSpace(data, i+1) == len(data)
		default:
			return ev, false
		}
	}
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// flatString reads the string at data[i] (a quote) that has no escape and
// no control character, and is valid UTF-8; it returns its bytes, in data.
func flatString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, i, false
	}
	ascii := true
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == '"':
			s := data[i+1 : j]
			if !ascii && !utf8.Valid(s) {
				return nil, j, false
			}
			return s, j + 1, true
		case c == '\\' || c < 0x20:
			return nil, j, false
		case c >= 0x80:
			ascii = false
		}
	}
	return nil, len(data), false
}

// flatInt reads a JSON integer (no fraction, no exponent) of at most 18
// digits.
func flatInt(data []byte, i int) (int, int, bool) {
	neg := data[i] == '-'
	if neg {
		i++
	}
	start := i
	n := 0
	for i < len(data) && data[i] >= '0' && data[i] <= '9' {
		n = n*10 + int(data[i]-'0')
		i++
	}
	digits := i - start
	if digits == 0 || digits > 18 || digits > 1 && data[start] == '0' {
		return 0, i, false
	}
	if i < len(data) && (data[i] == '.' || data[i] == 'e' || data[i] == 'E') {
		return 0, i, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

// setFlat sets the field of key, as encoding/json would: a string field
// takes a string, an int field an integer, null leaves either alone, and
// the object-valued fields take only null. It reports false for a value
// of the wrong kind and for a key that matches a field only ignoring case.
func setFlat(ev *serverEvent, key, str []byte, num int, isNum, isNull bool) bool {
	var sp *string
	var ip *int
	switch string(key) { // no allocation: the compiler compares the bytes
	case "type":
		sp = &ev.Type
	case "event_id":
		sp = &ev.EventID
	case "response_id":
		sp = &ev.ResponseID
	case "item_id":
		sp = &ev.ItemID
	case "delta":
		sp = &ev.Delta
	case "transcript":
		sp = &ev.Transcript
	case "text":
		sp = &ev.Text
	case "arguments":
		sp = &ev.Arguments
	case "call_id":
		sp = &ev.CallID
	case "name":
		sp = &ev.Name
	case "content_index":
		ip = &ev.ContentIndex
	case "audio_start_ms":
		ip = &ev.AudioStartMS
	case "audio_end_ms":
		ip = &ev.AudioEndMS
	case "response", "item", "error", "rate_limits", "session":
		return isNull && string(key) != "session" // a RawMessage keeps "null": encoding/json's job
	default:
		for _, k := range flatKeys {
			if strings.EqualFold(string(key), k) {
				return false
			}
		}
		return true // a field the stream does not read
	}
	switch {
	case isNull:
	case sp != nil && !isNum:
		*sp = string(str)
	case ip != nil && isNum:
		*ip = num
	default:
		return false
	}
	return true
}

// flatKeys are the JSON keys of serverEvent.
var flatKeys = []string{"type", "event_id", "response_id", "item_id", "content_index", "delta", "transcript", "text",
	"arguments", "call_id", "name", "audio_start_ms", "audio_end_ms", "response", "item", "error", "rate_limits", "session"}
