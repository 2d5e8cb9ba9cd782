package livekit

import (
	"context"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// Run runs session's conversation in the room: the callers' audio goes to
// the model, the model's audio and transcripts to the room. Unless
// Config.DisableBargeIn, a bargein.Watcher on the input interrupts the
// model (session.Interrupt, which flushes the room's queue at once) when a
// caller talks over it for Config.BargeIn.MinSpeech. Run returns nil when
// the conversation ends cleanly: every caller it listened to left, and the
// model answered what it had heard (see fullduplex.SendCloser); ctx's error
// when ctx is done; otherwise the first error. It does not close the Room.
func (r *Room) Run(ctx context.Context, session *fullduplex.DuplexSession) error {
	var src fullduplex.Source = r
	if !r.cfg.DisableBargeIn {
		bcfg := r.cfg.BargeIn
		if !r.cfg.EchoGate {
			bcfg.DisableEchoGate = true
		}
		w, err := bargein.New(r, r, session.Interrupt, bcfg)
		if err != nil {
			return err
		}
		src = w
	}
	return session.RunDuplex(ctx, src, r)
}
