package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"fmt"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// SignatureHeader is the header Twilio signs its requests with.
const SignatureHeader = "X-Twilio-Signature"

// maxForm bounds the body of a webhook ValidateRequest reads.
const maxForm = 64 << 10

// Signature returns the X-Twilio-Signature of a request to fullURL with the
// POST form params (nil for the WebSocket handshake, a GET): the base64
// HMAC-SHA1, keyed with the account's auth token, of fullURL followed by
// each parameter's name and value, sorted by name.
func Signature(authToken, fullURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(fullURL))
	for _, k := range slices.Sorted(maps.Keys(params)) {
		vs := slices.Clone(params[k])
		slices.Sort(vs)
		for _, v := range vs {
			mac.Write([]byte(k))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// ValidateRequest checks r's X-Twilio-Signature against authToken and
// fullURL, the URL Twilio requested (with its query). A POST form body (a
// voice webhook) is read, at most 64 KiB, and signed along; it stays
// available in r.PostForm. Like Twilio's own libraries it also accepts the
// signature of fullURL with its default port added or removed. The error
// wraps ErrSignature and never contains the token.
func ValidateRequest(r *http.Request, authToken, fullURL string) error {
	got := r.Header.Get(SignatureHeader)
	if got == "" {
		return fmt.Errorf("%w: no %s header", ErrSignature, SignatureHeader)
	}
	var params url.Values
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); r.Method == http.MethodPost && ct == "application/x-www-form-urlencoded" {
		r.Body = http.MaxBytesReader(nil, r.Body, maxForm)
		if err := r.ParseForm(); err != nil {
			return fmt.Errorf("%w: reading the form: %v", ErrSignature, err)
		}
		params = r.PostForm
	}
	for _, u := range []string{fullURL, togglePort(fullURL)} {
		if u != "" && hmac.Equal([]byte(got), []byte(Signature(authToken, u, params))) {
			return nil
		}
	}
	return fmt.Errorf("%w: it does not match %s", ErrSignature, fullURL)
}

// togglePort returns u with its scheme's default port added when it has
// none, or removed when it has it; "" when neither applies.
func togglePort(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return ""
	}
	def := map[string]string{"https": "443", "wss": "443", "http": "80", "ws": "80"}[p.Scheme]
	switch {
	case def == "":
		return ""
	case p.Port() == "":
		p.Host += ":" + def
	case p.Port() == def:
		p.Host = strings.TrimSuffix(p.Host, ":"+def)
	default:
		return ""
	}
	return p.String()
}
