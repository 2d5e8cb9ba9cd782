package audio

// ReferenceGlitches counts the output underflows the device has reported so
// far (SpeakerStats.DeviceUnderflows): after each, the device may have
// played silence that ReadReference never returns, so an echo canceller
// reading the reference must re-measure the echo's delay (package
// audio/aec does).
func (sp *Speaker) ReferenceGlitches() int64 { return sp.c.stats().devXruns }
