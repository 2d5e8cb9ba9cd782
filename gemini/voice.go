package gemini

import "github.com/fullduplex-go/fullduplex/internal/pcm"

// silenceDBFS is the level below which a chunk of input is silence: the
// service answers speech and says nothing about silence, so silence sent
// after an answer (a file's trailing second, a muted microphone) owes no
// answer to CloseSend.
const silenceDBFS = -50

// audible reports whether a chunk of 16-bit mono PCM is louder than
// silence. Audio that cannot be decoded counts as audible, so no answer is
// ever given up for it.
func audible(data []byte) bool {
	var buf [1024]int16
	for len(data) >= 2 {
		n := min(len(data)/2, len(buf))
		samples, err := pcm.DecodeInt16(buf[:0], data[:2*n])
		if err != nil {
			return true
		}
		if pcm.DBFS(samples) > silenceDBFS {
			return true
		}
		data = data[2*n:]
	}
	return false
}
