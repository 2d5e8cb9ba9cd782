// Package openaicompat is a realtime.TurnModel over an OpenAI-compatible
// chat-completions endpoint, streamed with server-sent events: a local
// model behind llama.cpp's server (llama-server), vLLM, Ollama or LM
// Studio, or any hosted service that speaks the same protocol.
//
//	model := openaicompat.New(openaicompat.Config{BaseURL: "http://127.0.0.1:8080/v1"})
//	stream := realtime.NewStream(model, realtime.Config{})
//
// It uses plain net/http: POST {BaseURL}/chat/completions with
// "stream": true, then one text Symbol per "data:" chunk that carries
// content, until "data: [DONE]", then the server's token count as an
// EventUsage (the request asks for it with "stream_options"). User text is
// sent as is; user audio (as base64 WAV "input_audio" parts) and images (as
// data URLs) only when Config.Audio and Config.Images say the model takes
// them. A server's error, in any of the shapes servers send, is an
// *HTTPError carrying the server's message.
//
// The API key travels only in the Authorization header; it never appears
// in an error. openaicompattest has a fake server for tests and offline
// demos.
package openaicompat
