package livekit

import (
	"github.com/livekit/media-sdk/rtp"
	prtp "github.com/pion/rtp"
)

// maxGap bounds the silence a gapFiller writes for one gap: 2 s at the
// track's 48 kHz, the input's default buffer (more would only be dropped).
const maxGap = 2 * trackRate

// A gapFiller sits between the jitter buffer and a caller's Opus decoder.
// When a packet's RTP timestamp is ahead of the audio decoded so far, the
// sender sent nothing for a while: Opus DTX, which LiveKit's web and mobile
// clients turn on for microphones by default, sends one packet per 400 ms
// in silence, and lost packets leave holes too. The gapFiller writes the
// missing time as silence before the packet, so the agent's input keeps
// time with the caller and the model hears the pause that ends a turn.
// Without it a DTX caller's silence is 20 ms per 400 ms, and a model
// waiting for a second of it waits twenty.
//
// HandleRTP is called by one goroutine at a time (the jitter buffer's
// mutex), as callerWriter's WriteSample is.
type gapFiller struct {
	rtp.Handler               // the decoder chain, writing into w
	w           *callerWriter // where the decoded (and the filled) audio goes

	started bool
	next    uint32 // the RTP timestamp (48 kHz) the next packet should have
	zeros   []int16
}

func (g *gapFiller) HandleRTP(h *prtp.Header, payload []byte) error {
	if g.started {
		if gap := int32(h.Timestamp - g.next); gap > 0 {
			g.fill(min(int(gap), maxGap))
		}
	}
	before := g.w.written
	err := g.Handler.HandleRTP(h, payload)
	decoded := uint32(g.w.written - before)
	// A timestamp behind the expected one is a packet the jitter buffer
	// let through late: it does not move time back.
	if !g.started || int32(h.Timestamp+decoded-g.next) > 0 {
		g.next = h.Timestamp + decoded
	}
	g.started = true
	return err
}

// fill writes n samples of silence at the track's rate, 20 ms at a time.
func (g *gapFiller) fill(n int) {
	if g.zeros == nil {
		g.zeros = make([]int16, trackRate/50)
	}
	for n > 0 {
		k := min(n, len(g.zeros))
		_ = g.w.WriteSample(g.zeros[:k])
		n -= k
	}
}
