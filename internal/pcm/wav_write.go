package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A WAVWriter writes a 16-bit PCM WAV file to an io.WriteSeeker as samples
// arrive, and patches the RIFF and data sizes into the header on Close.
// Close does not close the underlying writer. For a writer that cannot seek,
// use WriteWAV with all the samples at once.
//
// A WAVWriter is not safe for concurrent use.
type WAVWriter struct {
	w          io.WriteSeeker
	start      int64 // offset of the header
	channels   int
	sampleRate int
	n          int64 // data bytes written
	scratch    []byte
	closed     bool
	err        error // sticky write error
}

// ErrWAVClosed is returned by WAVWriter methods after Close.
var ErrWAVClosed = errors.New("pcm: WAV writer closed")

// NewWAVWriter writes a WAV header for sampleRate Hz and channels
// interleaved channels at the current position of w and returns a writer
// for the samples.
func NewWAVWriter(w io.WriteSeeker, sampleRate, channels int) (*WAVWriter, error) {
	if err := checkWAVParams(sampleRate, channels); err != nil {
		return nil, err
	}
	start, err := w.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, fmt.Errorf("pcm: WAV writer needs a seekable writer: %w", err)
	}
	if _, err := w.Write(wavHeader(sampleRate, channels, 0)); err != nil {
		return nil, fmt.Errorf("pcm: writing WAV header: %w", err)
	}
	return &WAVWriter{w: w, start: start, channels: channels, sampleRate: sampleRate}, nil
}

// Write writes p, raw 16-bit little-endian PCM holding whole frames, as
// sample data. It implements io.Writer.
func (ww *WAVWriter) Write(p []byte) (int, error) {
	if ww.closed {
		return 0, ErrWAVClosed
	}
	if ww.err != nil {
		return 0, ww.err
	}
	if len(p)%(2*ww.channels) != 0 {
		return 0, fmt.Errorf("%w: %d bytes is not a whole number of %d-channel 16-bit frames", ErrChannels, len(p), ww.channels)
	}
	if ww.n+int64(len(p)) > wavMaxData {
		return 0, fmt.Errorf("%w: %d bytes", ErrWAVTooLarge, ww.n+int64(len(p)))
	}
	n, err := ww.w.Write(p)
	ww.n += int64(n)
	if err != nil {
		ww.err = fmt.Errorf("pcm: writing WAV data: %w", err)
		return n, ww.err
	}
	return n, nil
}

// WriteSamples writes interleaved samples (whole frames).
func (ww *WAVWriter) WriteSamples(samples []int16) error {
	ww.scratch = EncodeInt16(ww.scratch[:0], samples)
	_, err := ww.Write(ww.scratch)
	return err
}

// Frames returns the number of sample frames written so far.
func (ww *WAVWriter) Frames() int64 { return ww.n / int64(2*ww.channels) }

// Close patches the header with the final sizes and leaves the underlying
// writer positioned after the data. It does not close the underlying
// writer. Calls after the first return nil.
func (ww *WAVWriter) Close() error {
	if ww.closed {
		return nil
	}
	ww.closed = true
	var b [4]byte
	patch := func(off int64, v uint32) error {
		if _, err := ww.w.Seek(ww.start+off, io.SeekStart); err != nil {
			return err
		}
		binary.LittleEndian.PutUint32(b[:], v)
		_, err := ww.w.Write(b[:])
		return err
	}
	if err := patch(4, uint32(wavHeaderSize-8+ww.n)); err != nil {
		return fmt.Errorf("pcm: patching WAV header: %w", err)
	}
	if err := patch(40, uint32(ww.n)); err != nil {
		return fmt.Errorf("pcm: patching WAV header: %w", err)
	}
	if _, err := ww.w.Seek(ww.start+wavHeaderSize+ww.n, io.SeekStart); err != nil {
		return fmt.Errorf("pcm: patching WAV header: %w", err)
	}
	return ww.err
}

// WriteWAV writes a complete 16-bit PCM WAV file holding samples
// (interleaved, whole frames) to w, which need not seek.
func WriteWAV(w io.Writer, samples []int16, sampleRate, channels int) error {
	if err := checkWAVParams(sampleRate, channels); err != nil {
		return err
	}
	if err := checkFrames(len(samples), channels); err != nil {
		return err
	}
	size := 2 * int64(len(samples))
	if size > wavMaxData {
		return fmt.Errorf("%w: %d bytes", ErrWAVTooLarge, size)
	}
	buf := wavHeader(sampleRate, channels, uint32(size))
	buf = EncodeInt16(buf, samples)
	if _, err := w.Write(buf); err != nil {
		return fmt.Errorf("pcm: writing WAV: %w", err)
	}
	return nil
}

func checkWAVParams(sampleRate, channels int) error {
	if sampleRate < 1 || sampleRate > MaxRate {
		return fmt.Errorf("%w: %d Hz", ErrRate, sampleRate)
	}
	if channels < 1 || channels > maxWAVChannels {
		return fmt.Errorf("%w: %d", ErrChannels, channels)
	}
	return nil
}

// maxWAVChannels bounds the channel count the writer accepts.
const maxWAVChannels = 256

// wavHeader returns the canonical 44-byte header of a 16-bit PCM WAV file.
func wavHeader(sampleRate, channels int, dataSize uint32) []byte {
	h := make([]byte, wavHeaderSize, wavHeaderSize+int(dataSize))
	le := binary.LittleEndian
	copy(h[0:], "RIFF")
	le.PutUint32(h[4:], wavHeaderSize-8+dataSize)
	copy(h[8:], "WAVEfmt ")
	le.PutUint32(h[16:], 16)
	le.PutUint16(h[20:], wavFormatPCM)
	le.PutUint16(h[22:], uint16(channels))
	le.PutUint32(h[24:], uint32(sampleRate))
	le.PutUint32(h[28:], uint32(sampleRate*2*channels))
	le.PutUint16(h[32:], uint16(2*channels))
	le.PutUint16(h[34:], 16)
	copy(h[36:], "data")
	le.PutUint32(h[40:], dataSize)
	return h
}
