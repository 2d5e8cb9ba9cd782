package livekit

import (
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	prtp "github.com/pion/rtp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tone20ms is a decoder that decodes every packet to 20 ms of loud audio.
type tone20ms struct{ w *callerWriter }

func (d tone20ms) String() string { return "tone" }
func (d tone20ms) HandleRTP(_ *prtp.Header, _ []byte) error {
	s := make([]int16, trackRate/50)
	for i := range s {
		s[i] = 8000
	}
	return d.w.WriteSample(s)
}

// TestGapFillerKeepsTime: packets 20 ms apart decode as they are; a jump
// in RTP time (Opus DTX in a pause, or lost packets) becomes that much
// silence before the next packet, bounded by maxGap; a late packet does
// not move time back.
func TestGapFillerKeepsTime(t *testing.T) {
	in := newInput(16000, defaultFrame, 60e9, FirstCaller())
	rs, err := pcm.NewResampler(trackRate, 16000)
	require.NoError(t, err)
	w := &callerWriter{in: in, identity: "dtx", rs: rs}
	g := &gapFiller{Handler: tone20ms{w}, w: w}
	const f = trackRate / 50         // one 20 ms packet in RTP time
	var ts uint32 = 4294967296 - 2*f // wraps around mid-test
	send := func() { require.NoError(t, g.HandleRTP(&prtp.Header{Timestamp: ts}, []byte{1})) }

	send()
	ts += f
	send()
	assert.Equal(t, int64(2*f), w.written, "no gap between consecutive packets")
	ts += 20 * f // 400 ms later (DTX): 19 packets not sent
	send()
	assert.Equal(t, int64(3*f+19*f), w.written, "the pause becomes silence")
	ts -= 5 * f // late
	send()
	ts += 5*f + f
	send()
	assert.Equal(t, int64(5*f+19*f), w.written, "a late packet leaves the clock alone")
	ts += 10 * trackRate // a 10 s hole
	send()
	assert.Equal(t, int64(25*f+maxGap), w.written, "a long hole is bounded")

	// What the input holds: loud, 380 ms of silence, loud.
	var loud []bool
	for _, fr := range in.callers["dtx"].frames {
		loud = append(loud, pcm.RMS(fr) > 0.1)
	}
	require.GreaterOrEqual(t, len(loud), 22)
	assert.Equal(t, []bool{true, true, false}, loud[:3])
	assert.True(t, loud[21], "the packet after the pause is loud again")
}
