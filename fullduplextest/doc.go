// Package fullduplextest provides FakeStream, a scripted in-memory
// fullduplex.DuplexStream for unit tests of applications built on
// fullduplex: the test plays the model — it emits symbols and events, ends
// the stream or fails it — and inspects what the application sent: symbols,
// SendEnd and CloseSend calls, output interrupts, declared tools and tool
// results.
//
// Answers scripted with EmitAfterInput wait for the application's input
// turns, so a test scripts the whole conversation up front without racing
// the application. Every wait takes a context, so tests never sleep:
//
//	fs := fullduplextest.NewFakeStream()
//	go session.RunDuplex(ctx, mic, speaker)
//	sent, err := fs.WaitSent(ctx, 3) // the first three symbols the app sent
//
// It also provides small Sources and Sinks for tests: SliceSource and
// Recorder.
package fullduplextest
