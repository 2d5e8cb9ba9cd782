package twiliotest

import (
	"fmt"
	"os"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
)

// ReadWAV reads a 16-bit PCM WAV file of any rate and channel count as the
// 8 kHz mono samples a caller would send, for SendAudio and StreamAudio.
func ReadWAV(path string) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("twiliotest: %w", err)
	}
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("twiliotest: %s: %w", path, err)
	}
	mono, err := w.Mono()
	if err != nil {
		return nil, fmt.Errorf("twiliotest: %s: %w", path, err)
	}
	rs, err := pcm.NewResampler(w.SampleRate, twilio.Rate)
	if err != nil {
		return nil, fmt.Errorf("twiliotest: %s: %w", path, err)
	}
	return rs.Flush(rs.Process(nil, mono)), nil
}
