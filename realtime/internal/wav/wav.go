// Package wav turns a user's audio into the WAV file the turn models send
// (openaicompat's "input_audio" parts, geminiturn's inline audio/wav),
// written once for both with internal/pcm.
package wav

import (
	"bytes"
	"fmt"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// FromSymbol returns s, 16-bit little-endian PCM, as a complete WAV file.
// A symbol that is not such audio is refused with an error wrapping
// fullduplex.ErrInvalidSymbol.
func FromSymbol(s fullduplex.Symbol) ([]byte, error) {
	if s.Modality != fullduplex.ModalityAudio || s.SampleRate() <= 0 {
		return nil, fmt.Errorf("%w: not audio with a sample rate", fullduplex.ErrInvalidSymbol)
	}
	samples, err := pcm.DecodeInt16(nil, s.Data)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", fullduplex.ErrInvalidSymbol, err)
	}
	var buf bytes.Buffer
	buf.Grow(44 + len(s.Data))
	if err := pcm.WriteWAV(&buf, samples, s.SampleRate(), max(1, s.Channels())); err != nil {
		return nil, fmt.Errorf("%w: %v", fullduplex.ErrInvalidSymbol, err)
	}
	return buf.Bytes(), nil
}
