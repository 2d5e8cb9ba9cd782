package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// A WAVReader decodes a RIFF/WAVE stream of 16-bit integer PCM (format tag
// 1, or WAVE_FORMAT_EXTENSIBLE with the PCM subformat) at any sample rate
// and channel count. NewWAVReader reads the header up to the data chunk;
// Read then streams the samples. Chunks other than "fmt " and "data" are
// skipped, and so is a partial sample frame at the end of the data chunk.
//
// A WAVReader is not safe for concurrent use.
type WAVReader struct {
	r          io.Reader
	sampleRate int
	channels   int
	remaining  int64 // data bytes left; -1: read to EOF (size unknown)
	size       int64 // declared data size, -1 if unknown
	scratch    []byte
	err        error // sticky
}

// NewWAVReader reads the WAV header from r and returns a reader positioned
// at the first sample. Errors wrap ErrWAVFormat, ErrWAVUnsupported or
// ErrWAVTruncated.
func NewWAVReader(r io.Reader) (*WAVReader, error) {
	var hdr [12]byte
	if _, err := readFull(r, hdr[:], "RIFF header"); err != nil {
		return nil, err
	}
	switch string(hdr[0:4]) {
	case "RIFF":
	case "RIFX", "RF64", "BW64":
		return nil, fmt.Errorf("%w: %q container", ErrWAVUnsupported, hdr[0:4])
	default:
		return nil, fmt.Errorf("%w: no RIFF signature", ErrWAVFormat)
	}
	if string(hdr[8:12]) != "WAVE" {
		return nil, fmt.Errorf("%w: RIFF form %q is not WAVE", ErrWAVFormat, hdr[8:12])
	}
	wr := &WAVReader{r: r}
	haveFmt := false
	for {
		var ch [8]byte
		if n, err := readFull(r, ch[:], "chunk header"); err != nil {
			if n == 0 && errors.Is(err, ErrWAVTruncated) {
				return nil, fmt.Errorf("%w: no data chunk", ErrWAVFormat)
			}
			return nil, err
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:8])
		switch id {
		case "fmt ":
			if haveFmt {
				return nil, fmt.Errorf("%w: two fmt chunks", ErrWAVFormat)
			}
			if err := wr.readFmt(size); err != nil {
				return nil, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, fmt.Errorf("%w: data chunk before fmt chunk", ErrWAVFormat)
			}
			if size == wavSizeStream {
				wr.remaining, wr.size = -1, -1
				return wr, nil
			}
			// A trailing partial frame is ignored.
			whole := int64(size) - int64(size)%int64(2*wr.channels)
			wr.remaining, wr.size = whole, whole
			return wr, nil
		default:
			if err := skip(r, int64(size)+int64(size&1), "chunk "+fmt.Sprintf("%q", id)); err != nil {
				return nil, err
			}
		}
	}
}

func (wr *WAVReader) readFmt(size uint32) error {
	if size < 16 {
		return fmt.Errorf("%w: fmt chunk of %d bytes", ErrWAVFormat, size)
	}
	var b [40]byte
	n := min(int(size), len(b))
	if _, err := readFull(wr.r, b[:n], "fmt chunk"); err != nil {
		return err
	}
	if err := skip(wr.r, int64(size)-int64(n)+int64(size&1), "fmt chunk"); err != nil {
		return err
	}
	tag := binary.LittleEndian.Uint16(b[0:2])
	channels := int(binary.LittleEndian.Uint16(b[2:4]))
	rate := binary.LittleEndian.Uint32(b[4:8])
	blockAlign := int(binary.LittleEndian.Uint16(b[12:14]))
	bits := int(binary.LittleEndian.Uint16(b[14:16]))
	if tag == wavFormatExtensible {
		if n < 40 || binary.LittleEndian.Uint16(b[16:18]) < 22 {
			return fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE fmt chunk too short (%d bytes)", ErrWAVFormat, size)
		}
		valid := int(binary.LittleEndian.Uint16(b[18:20]))
		sub := binary.LittleEndian.Uint16(b[24:26])
		if [14]byte(b[26:40]) != ksdataformatSubtypeGUIDSuffix {
			return fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE with an unknown subformat GUID", ErrWAVUnsupported)
		}
		if sub != wavFormatPCM {
			return fmt.Errorf("%w: WAVE_FORMAT_EXTENSIBLE %s (want 16-bit PCM)", ErrWAVUnsupported, formatName(sub))
		}
		if valid > bits {
			return fmt.Errorf("%w: %d valid bits in %d-bit samples", ErrWAVFormat, valid, bits)
		}
		tag = sub
	}
	if tag != wavFormatPCM {
		return fmt.Errorf("%w: %s (want 16-bit PCM)", ErrWAVUnsupported, formatName(tag))
	}
	if bits != 16 {
		return fmt.Errorf("%w: %d-bit PCM (want 16-bit)", ErrWAVUnsupported, bits)
	}
	if channels < 1 {
		return fmt.Errorf("%w: %d channels", ErrWAVFormat, channels)
	}
	if rate < 1 || rate > 1<<30 {
		return fmt.Errorf("%w: sample rate %d", ErrWAVFormat, rate)
	}
	if blockAlign != 2*channels {
		return fmt.Errorf("%w: block align %d for %d 16-bit channels", ErrWAVFormat, blockAlign, channels)
	}
	wr.channels, wr.sampleRate = channels, int(rate)
	return nil
}

// SampleRate returns the sample rate in Hz.
func (wr *WAVReader) SampleRate() int { return wr.sampleRate }

// Channels returns the number of interleaved channels.
func (wr *WAVReader) Channels() int { return wr.channels }

// Frames returns the number of sample frames the header declares, or -1 if
// the data size is unknown (a file written to a pipe).
func (wr *WAVReader) Frames() int64 {
	if wr.size < 0 {
		return -1
	}
	return wr.size / int64(2*wr.channels)
}

// Read reads interleaved samples into dst, whole frames only, and returns
// how many samples it read. It returns io.EOF at the end of the data, an
// error wrapping ErrWAVTruncated if the stream ends early, and
// io.ErrShortBuffer if dst cannot hold one frame.
func (wr *WAVReader) Read(dst []int16) (int, error) {
	if wr.err != nil {
		return 0, wr.err
	}
	frame := 2 * wr.channels
	want := len(dst) / wr.channels * frame
	if want == 0 {
		if len(dst) == 0 {
			return 0, nil
		}
		return 0, io.ErrShortBuffer
	}
	if wr.remaining == 0 {
		wr.err = io.EOF
		return 0, io.EOF
	}
	if wr.remaining > 0 {
		want = int(min(int64(want), wr.remaining))
	}
	if cap(wr.scratch) < want {
		wr.scratch = make([]byte, want)
	}
	buf := wr.scratch[:want]
	n, err := io.ReadAtLeast(wr.r, buf, frame)
	if rem := n % frame; rem != 0 && err == nil {
		// Complete the partial frame so no bytes are lost between calls.
		var m int
		m, err = io.ReadFull(wr.r, buf[n:n+frame-rem])
		n += m
	}
	n -= n % frame
	for i := range n / 2 {
		dst[i] = int16(binary.LittleEndian.Uint16(buf[2*i:]))
	}
	if wr.remaining > 0 {
		wr.remaining -= int64(n)
	}
	switch {
	case err == nil:
		return n / 2, nil
	case wr.remaining < 0 && errors.Is(err, io.EOF):
		// Unknown size: EOF ends the data.
		wr.err = io.EOF
		if n == 0 {
			return 0, io.EOF
		}
		return n / 2, nil
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		wr.err = fmt.Errorf("%w: data chunk ends %d bytes early", ErrWAVTruncated, wr.remaining)
	default:
		wr.err = err
	}
	if n > 0 {
		return n / 2, nil
	}
	return 0, wr.err
}

// ReadWAV decodes a whole WAV stream (see WAVReader). If the data turns out
// to be truncated it returns the samples read so far together with an error
// wrapping ErrWAVTruncated.
func ReadWAV(r io.Reader) (*WAV, error) {
	wr, err := NewWAVReader(r)
	if err != nil {
		return nil, err
	}
	w := &WAV{SampleRate: wr.sampleRate, Channels: wr.channels}
	// Never trust the declared size for a big allocation.
	if f := wr.Frames(); f > 0 {
		w.Samples = make([]int16, 0, min(f*int64(wr.channels), 1<<20))
	}
	buf := make([]int16, max(4096/wr.channels, 1)*wr.channels)
	for {
		n, err := wr.Read(buf)
		w.Samples = append(w.Samples, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return w, nil
		}
		if err != nil {
			return w, err
		}
	}
}

// readFull reads len(b) bytes; an early end of input is ErrWAVTruncated.
func readFull(r io.Reader, b []byte, what string) (int, error) {
	n, err := io.ReadFull(r, b)
	switch {
	case err == nil:
		return n, nil
	case errors.Is(err, io.EOF) && n == 0:
		return 0, fmt.Errorf("%w: input ends before the %s", ErrWAVTruncated, what)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return n, fmt.Errorf("%w: %s cut at %d of %d bytes", ErrWAVTruncated, what, n, len(b))
	default:
		return n, fmt.Errorf("pcm: reading WAV %s: %w", what, err)
	}
}

func skip(r io.Reader, n int64, what string) error {
	if n <= 0 {
		return nil
	}
	if s, ok := r.(io.Seeker); ok {
		// Seek past, but make sure the bytes exist: a seek beyond the end
		// succeeds silently.
		cur, err := s.Seek(0, io.SeekCurrent)
		if err == nil {
			end, err := s.Seek(0, io.SeekEnd)
			if err == nil {
				if end-cur < n {
					return fmt.Errorf("%w: %s declares %d bytes, %d remain", ErrWAVTruncated, what, n, end-cur)
				}
				_, err = s.Seek(cur+n, io.SeekStart)
				if err == nil {
					return nil
				}
			}
			return fmt.Errorf("pcm: skipping WAV %s: %w", what, err)
		}
	}
	m, err := io.CopyN(io.Discard, r, n)
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s declares %d bytes, %d remain", ErrWAVTruncated, what, n, m)
	}
	if err != nil {
		return fmt.Errorf("pcm: skipping WAV %s: %w", what, err)
	}
	return nil
}
