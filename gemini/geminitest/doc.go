// Package geminitest is a fake Gemini Live server on loopback, for testing
// code that uses the Live API (through package gemini or the genai SDK)
// without a network or an API key — in the spirit of net/http/httptest.
//
// The server speaks the real wire protocol as the service accepts it (proto
// JSON: camelCase or snake_case names, standard or URL-safe base64): it
// checks the websocket path and the API key (or, on the Vertex AI path, the
// bearer token), answers setup with setupComplete (as binary frames, like the
// service), records every client message, and lets a test push any server
// message, send GoAway, close with a code or drop the connection. In echo
// mode it plays a model that answers every turn, so examples run offline:
//
//	srv := geminitest.NewServer(geminitest.Options{Echo: true})
//	defer srv.Close()
//	stream := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
package geminitest
