package geminitest

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// EchoRate is the sample rate of the echo model's audio.
const EchoRate = 24000

// echo plays the echo model for one client message. Spoken turns end on
// activityEnd, or, when the client left the service's automatic activity
// detection on, when the user stops talking (a pure-Go voice activity
// detector stands in for the service's) or at audioStreamEnd (see
// listener.endOfStream). Without automatic detection audioStreamEnd ends
// the turn too.
func (c *Conn) echo(m ClientMessage) {
	switch {
	case m.RealtimeInput != nil && m.RealtimeInput.Audio != nil:
		a := m.RealtimeInput.Audio
		rate := mimeRate(a.MIMEType)
		if turn := c.ears.add(a.Data, rate, c.autoActivity); turn != nil {
			c.answerAudio(turn, rate)
		}
	case m.RealtimeInput != nil && m.RealtimeInput.AudioStreamEnd && c.autoActivity:
		// Like the service, the end of the audio stream flushes the speech
		// in progress, and the silence after a turn the detector already
		// ended is no new turn.
		rate := c.ears.rate
		if turn := c.ears.endOfStream(); len(turn) > 0 && rate > 0 {
			c.answerAudio(turn, rate)
		}
	case m.RealtimeInput != nil && (m.RealtimeInput.AudioStreamEnd || m.RealtimeInput.ActivityEnd != nil):
		rate := c.ears.rate
		if turn := c.ears.take(); len(turn) > 0 && rate > 0 {
			c.answerAudio(turn, rate)
		}
	case m.ClientContent != nil && m.ClientContent.TurnComplete:
		text, _ := m.Text()
		if c.textOut {
			_ = c.SendText("echo: " + text)
		} else {
			c.sendChunks(Tone(440, EchoRate, 200))
			_ = c.SendOutputTranscription("echo: "+text, true)
		}
		c.endTurn()
	}
}

// answerAudio answers a spoken turn: the transcription of what was heard,
// then the same audio back at EchoRate (or text, for text responses).
func (c *Conn) answerAudio(pcm []byte, rate int) {
	ms := len(pcm) / 2 * 1000 / rate
	heard := fmt.Sprintf("[%d ms of audio]", ms)
	_ = c.SendInputTranscription(heard, true)
	if c.textOut {
		_ = c.SendText("echo: " + heard)
	} else {
		c.sendChunks(resample(pcm, rate, EchoRate))
		_ = c.SendOutputTranscription("echo: "+heard, true)
	}
	c.endTurn()
}

func (c *Conn) endTurn() {
	_ = c.SendTurnComplete()
	c.maybeResumptionUpdate()
}

// sendChunks sends pcm at EchoRate in 40 ms chunks.
func (c *Conn) sendChunks(pcm []byte) {
	const chunk = EchoRate / 25 * 2
	for len(pcm) > 0 {
		n := min(chunk, len(pcm))
		if c.SendAudio(pcm[:n], EchoRate) != nil {
			return
		}
		pcm = pcm[n:]
	}
}

// Tone returns ms milliseconds of a sine at freq Hz as 16-bit mono PCM at rate.
func Tone(freq float64, rate, ms int) []byte {
	n := rate * ms / 1000
	out := make([]byte, 2*n)
	for i := range n {
		v := int16(8000 * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
		binary.LittleEndian.PutUint16(out[2*i:], uint16(v))
	}
	return out
}

// resample converts 16-bit mono PCM from one rate to another by linear
// interpolation.
func resample(pcm []byte, from, to int) []byte {
	in := len(pcm) / 2
	if from == to || in == 0 {
		return append([]byte(nil), pcm[:2*in]...)
	}
	n := int(int64(in) * int64(to) / int64(from))
	out := make([]byte, 2*n)
	sample := func(i int) float64 {
		if i >= in {
			i = in - 1
		}
		return float64(int16(binary.LittleEndian.Uint16(pcm[2*i:])))
	}
	for j := range n {
		pos := float64(j) * float64(from) / float64(to)
		i := int(pos)
		f := pos - float64(i)
		v := sample(i)*(1-f) + sample(i+1)*f
		binary.LittleEndian.PutUint16(out[2*j:], uint16(int16(math.Round(v))))
	}
	return out
}

// mimeRate returns the rate parameter of "audio/pcm;rate=N", or 0.
func mimeRate(mime string) int {
	_, params, _ := strings.Cut(mime, ";")
	for _, p := range strings.Split(params, ";") {
		k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
		if ok && strings.EqualFold(k, "rate") {
			n, err := strconv.Atoi(v)
			if err == nil && n > 0 {
				return n
			}
		}
	}
	return 0
}
