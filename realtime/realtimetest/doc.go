// Package realtimetest provides Model, a scripted realtime.TurnModel for
// tests and offline examples: the test writes the model's answers, then
// inspects the prompts the model was given.
//
//	m := realtimetest.NewModel()
//	m.Reply("Hello", " there")         // the first call's answer
//	m.ReplyAndHang("Once upon a time") // the second call streams, then waits to be cut off
//	stream := realtime.NewStream(m, realtime.Config{})
//
// Script scripts anything else: audio or image parts, the call's usage
// (an EventUsage after the parts), an error, a wait before the first part.
// With no answer scripted, a call echoes the last user text: "You said: ...".
// Every wait takes a context, so tests never sleep.
package realtimetest
