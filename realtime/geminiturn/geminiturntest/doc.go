// Package geminiturntest runs a fake Gemini REST server on loopback that
// answers streamGenerateContent with server-sent events, for tests and
// offline demos of geminiturn; the real genai SDK talks to it. By default
// it echoes "You said: " and the last user text, word by word.
//
//	srv := geminiturntest.NewServer()
//	defer srv.Close()
//	model, err := geminiturn.New(geminiturn.Config{BaseURL: srv.URL(), APIKey: "fake"})
package geminiturntest
