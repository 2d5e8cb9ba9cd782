// Package openaicompattest runs a fake OpenAI-compatible chat-completions
// server on loopback, for tests and offline demos of openaicompat: by
// default it streams back "You said: " and the last user message, word by
// word, as server-sent events.
//
//	srv := openaicompattest.NewServer()
//	defer srv.Close()
//	model := openaicompat.New(openaicompat.Config{BaseURL: srv.URL()})
package openaicompattest
