package record

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// stereoFile is a 16-bit stereo WAV file written in place: each channel's
// samples go at their frame positions, read-modify-written so the other
// channel is kept. Frames never written read as silence. Not safe for
// concurrent use.
type stereoFile struct {
	f       *os.File
	rate    int
	frames  int64 // frames in the file (the data chunk's length)
	scratch []byte
}

const blockFrames = 4096 // frames per read-modify-write

func createStereo(path string, rate int) (*stereoFile, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	if _, err := f.Write(pcm.WAVHeader(rate, 2, 0)); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("record: write WAV header: %w", err)
	}
	return &stereoFile{f: f, rate: rate}, nil
}

// put writes samples to channel ch (0 left, 1 right) from frame pos on.
func (s *stereoFile) put(ch int, pos int64, samples []int16) error {
	for len(samples) > 0 {
		n := min(len(samples), blockFrames)
		if err := s.edit(pos, n, func(b []byte) {
			for i, v := range samples[:n] {
				binary.LittleEndian.PutUint16(b[4*i+2*ch:], uint16(v))
			}
		}); err != nil {
			return err
		}
		samples, pos = samples[n:], pos+int64(n)
	}
	return nil
}

// zero silences channel ch over frames [from, to).
func (s *stereoFile) zero(ch int, from, to int64) error {
	to = min(to, s.frames)
	for from < to {
		n := int(min(to-from, blockFrames))
		if err := s.edit(from, n, func(b []byte) {
			for i := range n {
				b[4*i+2*ch], b[4*i+2*ch+1] = 0, 0
			}
		}); err != nil {
			return err
		}
		from += int64(n)
	}
	return nil
}

// edit reads frames [pos, pos+n), lets change modify them, and writes them back.
func (s *stereoFile) edit(pos int64, n int, change func([]byte)) error {
	if cap(s.scratch) < 4*n {
		s.scratch = make([]byte, 4*blockFrames)
	}
	b := s.scratch[:4*n]
	off := pcm.WAVHeaderSize + 4*pos
	got, err := s.f.ReadAt(b, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("record: read WAV: %w", err)
	}
	clear(b[got:])
	change(b)
	if _, err := s.f.WriteAt(b, off); err != nil {
		return fmt.Errorf("record: write WAV: %w", err)
	}
	s.frames = max(s.frames, pos+int64(n))
	return nil
}

// close patches the header's sizes and closes the file.
func (s *stereoFile) close() error {
	size := uint32(4 * s.frames)
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], pcm.WAVHeaderSize-8+size)
	_, err1 := s.f.WriteAt(b[:], 4)
	binary.LittleEndian.PutUint32(b[:], size)
	_, err2 := s.f.WriteAt(b[:], 40)
	// Frames never written at the end of the file (a cut past the last
	// write) are not part of it.
	err3 := s.f.Truncate(pcm.WAVHeaderSize + 4*s.frames)
	err4 := s.f.Close()
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return fmt.Errorf("record: finish WAV: %w", err)
	}
	return nil
}
