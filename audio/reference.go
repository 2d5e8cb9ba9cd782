package audio

import "time"

// ReferenceGlitches counts the output underflows the device has reported so
// far (SpeakerStats.DeviceUnderflows): after each, the device may have
// played silence that ReadReference never returns, so an echo canceller
// reading the reference must re-measure the echo's delay (package
// audio/aec does).
func (sp *Speaker) ReferenceGlitches() int64 { return sp.c.stats().devXruns }

// DefaultOutputLatency is the least output latency a Speaker asks for
// unless SpeakerConfig.Latency says otherwise. A device's own low latency
// (often under 10 ms) underflows several times a second on a loaded
// machine: each gap is a stutter the user hears, and it shifts the echo's
// delay, so an echo canceller must re-measure it. The cost is as much
// audio still playing after a Flush (barge-in).
const DefaultOutputLatency = 80 * time.Millisecond

// InputGlitches counts the microphone's overflows so far (its own buffer
// full, MicrophoneStats.Overflows, or the device's, DeviceOverflows): each
// dropped audio, so the stream jumps ahead and an echo canceller pairing it
// with the speaker's reference must re-measure the echo's delay (package
// audio/aec does).
func (m *Microphone) InputGlitches() int64 {
	st := m.c.stats()
	return st.overflows + st.devXruns
}
