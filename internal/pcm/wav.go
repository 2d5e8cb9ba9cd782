package pcm

import (
	"errors"
	"fmt"
	"time"
)

// Errors from the WAV reader and writer; returned errors wrap them with
// detail.
var (
	// ErrWAVFormat means the input is not a well-formed RIFF/WAVE file.
	ErrWAVFormat = errors.New("pcm: malformed WAV")
	// ErrWAVUnsupported means a well-formed WAV whose encoding is not 16-bit
	// integer PCM (for example 8- or 24-bit, IEEE float, A-law).
	ErrWAVUnsupported = errors.New("pcm: unsupported WAV encoding")
	// ErrWAVTruncated means the file ends before its header or its data
	// chunk does.
	ErrWAVTruncated = errors.New("pcm: truncated WAV")
	// ErrWAVTooLarge means the data does not fit a RIFF file (4 GiB).
	ErrWAVTooLarge = errors.New("pcm: WAV data too large")
)

// WAV format tags and the GUID suffix of WAVE_FORMAT_EXTENSIBLE subformats.
const (
	wavFormatPCM        = 0x0001
	wavFormatFloat      = 0x0003
	wavFormatALaw       = 0x0006
	wavFormatMuLaw      = 0x0007
	wavFormatExtensible = 0xFFFE

	wavHeaderSize = 44 // canonical header written by this package
	wavMaxData    = 1<<32 - 1 - (wavHeaderSize - 8)
	wavSizeStream = 0xFFFFFFFF // data size of a file written to a pipe
)

// ksdataformatSubtypeGUIDSuffix is bytes 2..16 of every KSDATAFORMAT_SUBTYPE
// GUID; bytes 0..1 hold the format tag.
var ksdataformatSubtypeGUIDSuffix = [14]byte{0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71}

// A WAV is a whole decoded WAV file: interleaved 16-bit samples.
// A WAV is a plain value; guard it yourself if goroutines share it.
type WAV struct {
	SampleRate int
	Channels   int
	Samples    []int16 // interleaved, len is a multiple of Channels
}

// Frames returns the number of sample frames (samples per channel).
func (w *WAV) Frames() int {
	if w.Channels <= 0 {
		return 0
	}
	return len(w.Samples) / w.Channels
}

// Duration returns the playing time of the samples.
func (w *WAV) Duration() time.Duration {
	if w.SampleRate <= 0 {
		return 0
	}
	return time.Duration(int64(w.Frames()) * int64(time.Second) / int64(w.SampleRate))
}

// Mono returns the samples downmixed to one channel (a copy).
func (w *WAV) Mono() ([]int16, error) {
	return Downmix(nil, w.Samples, w.Channels)
}

func formatName(tag uint16) string {
	switch tag {
	case wavFormatFloat:
		return "IEEE float"
	case wavFormatALaw:
		return "A-law"
	case wavFormatMuLaw:
		return "mu-law"
	case 0x0002:
		return "Microsoft ADPCM"
	case 0x0011:
		return "IMA ADPCM"
	case 0x0055:
		return "MP3"
	}
	return fmt.Sprintf("format tag %#04x", tag)
}
