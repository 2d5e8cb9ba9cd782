package web

import (
	"context"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// Run runs session over the connection until ctx is done or the
// conversation ends: the page's microphone and video go to the session
// through a barge-in watcher (Config.BargeIn), so the user interrupts the
// model by talking over it, and everything the session receives goes to
// the page. The page's stop button interrupts too. It returns what
// session.RunDuplex returns.
func (c *Conn) Run(ctx context.Context, session *fullduplex.DuplexSession) error {
	interrupt := session.Interrupt
	c.interrupt.Store(&interrupt)
	defer c.interrupt.Store(nil)
	w, err := bargein.New(c, monitor{c}, session.Interrupt, c.cfg.BargeIn)
	if err != nil {
		return err
	}
	return session.RunDuplex(ctx, w, c)
}

// monitor is the barge-in watcher's view of the page's playback. The page
// cancels echo itself, so the watcher's echo gate is off and the output
// level is not needed.
type monitor struct{ c *Conn }

func (m monitor) Playing() bool  { return m.c.Playing() }
func (m monitor) Level() float64 { return 0 }
