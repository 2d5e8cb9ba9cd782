// Package record records a conversation as it happens: a stereo WAV file
// with the user on the left channel and the model on the right, on one
// clock, and a JSON transcript with timestamps and turn boundaries.
//
// A Recorder sits on both sides of a DuplexSession, so it works with every
// backend and every transport: wrap the session's Source with
// Recorder.Source, and give the Recorder to the session as a Sink beside
// the speaker (fullduplex.MultiSink(speaker, rec)).
//
//	rec, err := record.Create("call.wav", record.Config{}) // and call.json
//	...
//	err = session.RunDuplex(ctx, rec.Source(mic), fullduplex.MultiSink(speaker, rec))
//	err = rec.Close()
//
// The user's audio is placed where it was captured (a chunk ends at its
// Timestamp). The model's audio is placed where a real-time speaker plays
// it: from its arrival, queued behind what is still playing, and cut where
// the session flushed the sinks on barge-in, so an interruption sounds in
// the file where the listener heard it. Both stream to disk: memory stays
// bounded however long the call.
package record
