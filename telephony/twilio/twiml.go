package twilio

import (
	"encoding/xml"
	"fmt"
	"net/http"
)

// StreamTwiML is the TwiML that connects a call to a bidirectional Media
// Stream: <Response>[<Say>]<Connect><Stream url>[<Parameter>...]</Stream></Connect></Response>.
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
	URL    string      `xml:"url,attr"`
	Params []twimlParam `xml:"Parameter"`
}

type twimlParam struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

// Marshal returns the TwiML document.
func (t StreamTwiML) Marshal() ([]byte, error) {
	if t.URL == "" {
		return nil, fmt.Errorf("twilio: StreamTwiML without a URL")
	}
	r := twimlResponse{Say: t.Say, Connect: twimlConnect{Stream: twimlStream{URL: t.URL}}}
	for _, k := range sortedKeys(t.Parameters) {
		r.Connect.Stream.Params = append(r.Connect.Stream.Params, twimlParam{k, t.Parameters[k]})
	}
	body, err := xml.Marshal(r)
	if err != nil {
		return nil, err
	}
	return append([]byte(xml.Header), body...), nil
}

// WriteTwiML answers a Twilio voice webhook with t.
func WriteTwiML(w http.ResponseWriter, t StreamTwiML) error {
	body, err := t.Marshal()
	if err != nil {
		http.Error(w, "twiml: "+err.Error(), http.StatusInternalServerError)
		return err
	}
	w.Header().Set("Content-Type", "text/xml")
	_, err = w.Write(body)
	return err
}
