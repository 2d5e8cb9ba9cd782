package twilio

import (
	"encoding/xml"
	"errors"
	"log"
	"maps"
	"net/http"
	"slices"
	"strings"
)

// Custom parameters TwiMLHandler copies from Twilio's voice webhook into
// the stream's start message (Call.From, Call.To).
const (
	ParamFrom = "From"
	ParamTo   = "To"
)

// StreamTwiML is the TwiML that connects a call to a bidirectional Media
// Stream: <Response>[<Say>]<Connect><Stream url>[<Parameter>...]</Stream></Connect></Response>.
// A StreamTwiML is a value; Marshal does not change it.
type StreamTwiML struct {
	// URL is the wss:// URL of the Handler. Required.
	URL string
	// Say, if set, is spoken to the caller before the stream starts.
	Say string
	// Parameters are passed to the stream as <Parameter>s; they arrive in
	// Start.CustomParameters.
	Parameters map[string]string
}

type twimlResponse struct {
	XMLName xml.Name     `xml:"Response"`
	Say     string       `xml:"Say,omitempty"`
	Connect twimlConnect `xml:"Connect"`
}

type twimlConnect struct {
	Stream twimlStream `xml:"Stream"`
}

type twimlStream struct {
	URL    string       `xml:"url,attr"`
	Params []twimlParam `xml:"Parameter"`
}

type twimlParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Marshal returns the TwiML document.
func (t StreamTwiML) Marshal() ([]byte, error) {
	if t.URL == "" {
		return nil, errors.New("twilio: StreamTwiML without a URL")
	}
	r := twimlResponse{Say: t.Say, Connect: twimlConnect{Stream: twimlStream{URL: t.URL}}}
	for _, k := range slices.Sorted(maps.Keys(t.Parameters)) {
		r.Connect.Stream.Params = append(r.Connect.Stream.Params, twimlParam{k, t.Parameters[k]})
	}
	body, err := xml.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), body...), nil
}

// A TwiMLHandler answers Twilio's voice webhook (the number's "A call comes
// in" URL) with TwiML that connects the call to a Media Stream. It passes
// the webhook's From and To on as custom parameters, so Call.From and
// Call.To know who is calling. ServeHTTP is safe for concurrent use.
type TwiMLHandler struct {
	// TwiML is the answer. A URL that is a path ("/twilio/stream") is
	// made absolute with the request's host: "wss://" + r.Host + path.
	TwiML StreamTwiML
	// AuthToken, if set, is the account's auth token: the webhook must then
	// carry a valid X-Twilio-Signature (see ValidateRequest), or it is
	// answered 403 Forbidden. Default: no check.
	AuthToken string
	// SignedURL returns the URL Twilio signed for r, the webhook URL
	// configured on the number. Default: "https://" + r.Host +
	// r.URL.RequestURI().
	SignedURL func(r *http.Request) string
	// ErrorLog receives one line per refused request. Default: the log
	// package's standard logger.
	ErrorLog *log.Logger
}

// ServeHTTP answers the webhook.
func (h *TwiMLHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.AuthToken != "" {
		u := "https://" + r.Host + r.URL.RequestURI()
		if h.SignedURL != nil {
			u = h.SignedURL(r)
		}
		if err := ValidateRequest(r, h.AuthToken, u); err != nil {
			if h.ErrorLog != nil {
				h.ErrorLog.Printf("twilio: %s: %v", r.RemoteAddr, err)
			} else {
				log.Printf("twilio: %s: %v", r.RemoteAddr, err)
			}
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	_ = r.ParseForm() // a webhook without a form still gets its TwiML
	t := h.TwiML
	t.Parameters = maps.Clone(t.Parameters)
	if t.Parameters == nil {
		t.Parameters = map[string]string{}
	}
	for _, k := range []string{ParamFrom, ParamTo} {
		if v := r.PostFormValue(k); v != "" {
			if _, set := t.Parameters[k]; !set {
				t.Parameters[k] = v
			}
		}
	}
	if strings.HasPrefix(t.URL, "/") {
		t.URL = "wss://" + r.Host + t.URL
	}
	body, err := t.Marshal()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = w.Write(body)
}
