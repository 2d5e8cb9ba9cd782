package geminitest

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// EchoRate is the sample rate of the echo model's audio.
const EchoRate = 24000

// echo plays the echo model for one client message. Spoken turns end on
// activityEnd, or, when the client left the service's automatic activity
// detection on, when the user stops talking (a pure-Go voice activity
// detector stands in for the service's) or at audioStreamEnd (see
// listener.endOfStream). Without automatic detection audioStreamEnd ends
// the turn too. Audio may come as realtimeInput.audio or as the older
// realtimeInput.mediaChunks; text as a client turn or as
// realtimeInput.text. Each answer ends like the service's: turnComplete
// with the turn's usageMetadata in the same frame.
func (c *Conn) echo(m ClientMessage) {
	ri := m.RealtimeInput
	switch {
	case ri != nil && (ri.Audio != nil || len(ri.MediaChunks) > 0):
		blobs := ri.MediaChunks
		if ri.Audio != nil {
			blobs = append([]*genai.Blob{ri.Audio}, blobs...)
		}
		for _, a := range blobs {
			if a == nil || !strings.HasPrefix(a.MIMEType, "audio/") {
				continue
			}
			rate := mimeRate(a.MIMEType)
			if rate == 0 && c.vertex {
				rate = 16000 // Vertex AI takes "audio/pcm" as 16 kHz
			}
			if turn := c.ears.add(a.Data, rate, c.autoActivity); turn != nil {
				c.answerAudio(turn, rate)
			}
		}
	case ri != nil && ri.Text != "":
		c.answerText(ri.Text)
	case ri != nil && ri.AudioStreamEnd && c.autoActivity:
		// Like the service, the end of the audio stream flushes the speech
		// in progress, and the silence after a turn the detector already
		// ended is no new turn.
		rate := c.ears.rate
		if turn := c.ears.endOfStream(); len(turn) > 0 && rate > 0 {
			c.answerAudio(turn, rate)
		}
	case ri != nil && (ri.AudioStreamEnd || ri.ActivityEnd != nil):
		rate := c.ears.rate
		if turn := c.ears.take(); len(turn) > 0 && rate > 0 {
			c.answerAudio(turn, rate)
		}
	case m.ClientContent != nil && m.ClientContent.TurnComplete:
		text, _ := m.Text()
		c.answerText(text)
	}
}

// answerText answers a text turn with "echo: TEXT": model text for TEXT
// responses, a 200 ms tone and its output transcription for AUDIO ones.
func (c *Conn) answerText(text string) {
	in := []*genai.ModalityTokenCount{{Modality: genai.MediaModalityText, TokenCount: textTokens(text)}}
	answer := "echo: " + text
	if c.textOut {
		_ = c.SendText(answer)
		c.endTurn(in, []*genai.ModalityTokenCount{{Modality: genai.MediaModalityText, TokenCount: textTokens(answer)}})
		return
	}
	c.sendChunks(Tone(440, EchoRate, 200))
	_ = c.SendOutputTranscription(answer, true)
	c.endTurn(in, []*genai.ModalityTokenCount{{Modality: genai.MediaModalityAudio, TokenCount: audioTokens(200)}})
}

// answerAudio answers a spoken turn: the transcription of what was heard,
// then the same audio back at EchoRate (or text, for text responses).
func (c *Conn) answerAudio(pcm []byte, rate int) {
	ms := len(pcm) / 2 * 1000 / rate
	heard := fmt.Sprintf("[%d ms of audio]", ms)
	_ = c.SendInputTranscription(heard, true)
	in := []*genai.ModalityTokenCount{{Modality: genai.MediaModalityAudio, TokenCount: audioTokens(ms)}}
	if c.textOut {
		answer := "echo: " + heard
		_ = c.SendText(answer)
		c.endTurn(in, []*genai.ModalityTokenCount{{Modality: genai.MediaModalityText, TokenCount: textTokens(answer)}})
		return
	}
	c.sendChunks(resample(pcm, rate, EchoRate))
	_ = c.SendOutputTranscription("echo: "+heard, true)
	c.endTurn(in, []*genai.ModalityTokenCount{{Modality: genai.MediaModalityAudio, TokenCount: audioTokens(ms)}})
}

// endTurn sends turnComplete with the turn's usage, as the service does.
func (c *Conn) endTurn(in, out []*genai.ModalityTokenCount) {
	var p, r int32
	for _, d := range in {
		p += d.TokenCount
	}
	for _, d := range out {
		r += d.TokenCount
	}
	_ = c.SendTurnCompleteUsage(&genai.UsageMetadata{
		PromptTokenCount: p, ResponseTokenCount: r, TotalTokenCount: p + r,
		PromptTokensDetails: in, ResponseTokensDetails: out,
	})
	c.maybeResumptionUpdate()
}

// textTokens and audioTokens count tokens roughly as the service does: about
// four characters of text, or 1/32 s of audio, per token.
func textTokens(s string) int32 { return int32(len(s)+3) / 4 }
func audioTokens(ms int) int32  { return int32(ms * 32 / 1000) }

// sendChunks sends pcm at EchoRate in 40 ms chunks.
func (c *Conn) sendChunks(pcm []byte) {
	const chunk = EchoRate / 25 * 2
	for len(pcm) > 0 {
		n := min(chunk, len(pcm))
		mime := fullduplex.PCMMIMEType(EchoRate)
		if c.vertex {
			mime = "audio/pcm" // as Vertex AI labels it; the rate is 24 kHz
		}
		if c.sendBlob(pcm[:n], mime) != nil {
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
