package pcm

// WAVHeaderSize is the size of the header WAVHeader returns: the sample
// data of such a file starts at this offset.
const WAVHeaderSize = wavHeaderSize

// WAVHeader returns the canonical 44-byte header of a 16-bit PCM WAV file
// of dataSize bytes, for a writer that places samples itself (and patches
// the sizes at the end).
func WAVHeader(sampleRate, channels int, dataSize uint32) []byte {
	return wavHeader(sampleRate, channels, dataSize)
}
