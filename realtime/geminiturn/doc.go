// Package geminiturn is a realtime.TurnModel over Gemini's
// GenerateContentStream (google.golang.org/genai): each user turn is one
// streamed request carrying the whole rolling prompt, with audio as inline
// WAV data, text and images.
//
//	model, err := geminiturn.New(geminiturn.Config{Model: "gemini-2.5-flash"})
//	stream := realtime.NewStream(model, realtime.Config{})
//
// Use it where a Live model is not available or not wanted: any Gemini
// model works, the prompt is yours to shape, and each turn is billed as
// one request. The API key travels in a header and never appears in an
// error. geminiturntest has a fake REST server for tests and offline demos.
package geminiturn
