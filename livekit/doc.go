// Package livekit runs fullduplex agents in LiveKit rooms: the same agent
// code that talks through a microphone talks to callers in a LiveKit room,
// and a Worker takes room jobs from a LiveKit server, so one process scales
// to a fleet by starting more of them.
//
// A Room is the agent as a room participant. It is the transport every
// fullduplex backend runs through unchanged: a Source of what the callers
// say (decoded from Opus and resampled with internal/pcm to 16 kHz mono,
// 20 ms symbols, MetaRole "user", the speaker's identity in MetaIdentity)
// and a Sink, Flusher and PlaybackReporter for what the model says (its
// audio on the agent's published track, paced in real time; Flush drops the
// queue at once on barge-in; Played counts what the track has sent;
// transcripts go to the room as text streams on topic "lk.transcription",
// which LiveKit clients show as captions). A ListenPolicy chooses whom the
// agent hears: the first caller, a named identity, or everyone mixed.
// Room.Run runs a DuplexSession over the room with client-side barge-in
// (package audio/bargein).
//
// A Worker registers with the server's agent dispatch (the /agent
// websocket of livekit-server, protocol 1), accepts jobs up to MaxJobs,
// reports its load, serves each room with the user's Handler
// (func(ctx, *Room) error) on its own goroutine, and drains on SIGTERM:
// it takes no new job and returns once its conversations have ended. When
// its connection to the server drops (a restart, the network), it dials
// again and re-registers while its conversations go on.
//
//	w := livekit.NewWorker(livekit.WorkerConfig{AgentName: "echo"},
//		func(ctx context.Context, room *livekit.Room) error {
//			stream := gemini.NewStream(gemini.Config{})
//			defer stream.Close()
//			return room.Run(ctx, fullduplex.NewDuplexSession(stream))
//		})
//	err := w.Run(ctx)
//
// NewToken mints access tokens for tests and examples. Against
// `livekit-server --dev` everything defaults: URL ws://127.0.0.1:7880,
// API key "devkey", secret "secret".
//
// The package uses cgo: the server SDK's media stack needs libopus and
// libsoxr (Debian: libopus-dev, libopusfile-dev, libsoxr-dev). It is its
// own module, so the root module never pulls LiveKit's dependencies or cgo.
package livekit
