package pcm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// chunk returns a RIFF chunk with its pad byte.
func chunk(id string, body []byte) []byte {
	b := append([]byte(id), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	b = append(b, body...)
	if len(body)%2 == 1 {
		b = append(b, 0)
	}
	return b
}

func riff(chunks ...[]byte) []byte {
	body := []byte("WAVE")
	for _, c := range chunks {
		body = append(body, c...)
	}
	b := append([]byte("RIFF"), 0, 0, 0, 0)
	binary.LittleEndian.PutUint32(b[4:], uint32(len(body)))
	return append(b, body...)
}

func fmtBody(tag uint16, channels int, rate int, bits int) []byte {
	b := make([]byte, 16)
	le := binary.LittleEndian
	le.PutUint16(b[0:], tag)
	le.PutUint16(b[2:], uint16(channels))
	le.PutUint32(b[4:], uint32(rate))
	le.PutUint32(b[8:], uint32(rate*channels*bits/8))
	le.PutUint16(b[12:], uint16(channels*bits/8))
	le.PutUint16(b[14:], uint16(bits))
	return b
}

func badBlockAlign() []byte {
	b := fmtBody(1, 2, 16000, 16)
	binary.LittleEndian.PutUint16(b[12:], 2)
	return b
}

func extensibleBody(channels, rate, bits, valid int, sub uint16) []byte {
	b := fmtBody(wavFormatExtensible, channels, rate, bits)
	ext := make([]byte, 24)
	le := binary.LittleEndian
	le.PutUint16(ext[0:], 22)
	le.PutUint16(ext[2:], uint16(valid))
	le.PutUint32(ext[4:], 3) // channel mask: front left | front right
	le.PutUint16(ext[8:], sub)
	copy(ext[10:], ksdataformatSubtypeGUIDSuffix[:])
	return append(b, ext...)
}

func TestReadWAV(t *testing.T) {
	stereo := []int16{1, -1, 2, -2, 32767, -32768}
	data := EncodeInt16(nil, stereo)
	for _, tc := range []struct {
		name     string
		file     []byte
		rate, ch int
		want     []int16
		err      error
	}{
		{"pcm stereo", riff(chunk("fmt ", fmtBody(1, 2, 44100, 16)), chunk("data", data)), 44100, 2, stereo, nil},
		{"extensible", riff(chunk("fmt ", extensibleBody(2, 48000, 16, 16, 1)), chunk("data", data)), 48000, 2, stereo, nil},
		{"extensible 12 valid bits", riff(chunk("fmt ", extensibleBody(2, 48000, 16, 12, 1)), chunk("data", data)), 48000, 2, stereo, nil},
		{"skips LIST and odd chunk", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("LIST", []byte("abc")), chunk("data", data)), 16000, 1, stereo, nil},
		{"fmt with extra bytes", riff(chunk("fmt ", append(fmtBody(1, 1, 8000, 16), 0, 0)), chunk("data", data)), 8000, 1, stereo, nil},
		{"empty data", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("data", nil)), 16000, 1, nil, nil},
		{"trailing chunk after data", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("data", data), chunk("id3 ", []byte("xx"))), 16000, 1, stereo, nil},

		{"not riff", []byte("hello world, not a wav file"), 0, 0, nil, ErrWAVFormat},
		{"riff not wave", append([]byte("RIFF\x04\x00\x00\x00AVI "), chunk("data", data)...), 0, 0, nil, ErrWAVFormat},
		{"no data chunk", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16))), 0, 0, nil, ErrWAVFormat},
		{"data before fmt", riff(chunk("data", data), chunk("fmt ", fmtBody(1, 1, 16000, 16))), 0, 0, nil, ErrWAVFormat},
		{"short fmt", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)[:14]), chunk("data", data)), 0, 0, nil, ErrWAVFormat},
		{"zero channels", riff(chunk("fmt ", fmtBody(1, 0, 16000, 16)), chunk("data", data)), 0, 0, nil, ErrWAVFormat},
		{"zero rate", riff(chunk("fmt ", fmtBody(1, 1, 0, 16)), chunk("data", data)), 0, 0, nil, ErrWAVFormat},
		{"bad block align", riff(chunk("fmt ", badBlockAlign()), chunk("data", data)), 0, 0, nil, ErrWAVFormat},
		{"partial frame ignored", riff(chunk("fmt ", fmtBody(1, 4, 16000, 16)), chunk("data", data)), 16000, 4, stereo[:4], nil},
		{"8-bit", riff(chunk("fmt ", fmtBody(1, 1, 8000, 8)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"24-bit", riff(chunk("fmt ", fmtBody(1, 1, 48000, 24)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"float", riff(chunk("fmt ", fmtBody(3, 1, 48000, 32)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"mu-law", riff(chunk("fmt ", fmtBody(7, 1, 8000, 8)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"extensible float", riff(chunk("fmt ", extensibleBody(2, 48000, 32, 32, 3)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"extensible 24-bit", riff(chunk("fmt ", extensibleBody(2, 48000, 24, 24, 1)), chunk("data", data)), 0, 0, nil, ErrWAVUnsupported},
		{"extensible short", riff(chunk("fmt ", extensibleBody(2, 48000, 16, 16, 1)[:30]), chunk("data", data)), 0, 0, nil, ErrWAVFormat},
		{"RIFX", append([]byte("RIFX"), riff()[4:]...), 0, 0, nil, ErrWAVUnsupported},
		{"RF64", append([]byte("RF64"), riff()[4:]...), 0, 0, nil, ErrWAVUnsupported},
		{"empty input", nil, 0, 0, nil, ErrWAVTruncated},
		{"cut header", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)))[:20], 0, 0, nil, ErrWAVTruncated},
		{"cut skipped chunk", riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)), chunk("LIST", make([]byte, 100)))[:50], 0, 0, nil, ErrWAVTruncated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, wrap := range []struct {
				name string
				r    func([]byte) io.Reader
			}{
				{"seeker", func(b []byte) io.Reader { return bytes.NewReader(b) }},
				{"stream", func(b []byte) io.Reader { return io.MultiReader(bytes.NewReader(b)) }},
			} {
				w, err := ReadWAV(wrap.r(tc.file))
				if tc.err != nil {
					require.ErrorIs(t, err, tc.err, wrap.name)
					t.Logf("%s: %v", wrap.name, err)
					continue
				}
				require.NoError(t, err, wrap.name)
				assert.Equal(t, tc.rate, w.SampleRate)
				assert.Equal(t, tc.ch, w.Channels)
				assert.Equal(t, len(tc.want), len(w.Samples))
				if len(tc.want) > 0 {
					assert.Equal(t, tc.want, w.Samples)
				}
			}
		})
	}
}

// A truncated data chunk returns what was there and a clear error.
func TestReadWAVTruncatedData(t *testing.T) {
	samples := AppendTone(nil, 440, 0.5, 16000, 1000)
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, samples, 16000, 1))
	file := buf.Bytes()[:buf.Len()-501] // 250.5 samples short
	w, err := ReadWAV(bytes.NewReader(file))
	require.ErrorIs(t, err, ErrWAVTruncated)
	require.NotNil(t, w)
	assert.Equal(t, samples[:len(w.Samples)], w.Samples)
	assert.Equal(t, 1000-251, len(w.Samples))
}

// A data size of 0xFFFFFFFF (written to a pipe) means: read to EOF.
func TestReadWAVUnknownSize(t *testing.T) {
	samples := []int16{5, 6, 7}
	file := riff(chunk("fmt ", fmtBody(1, 1, 16000, 16)))
	file = append(file, "data\xff\xff\xff\xff"...)
	file = EncodeInt16(file, samples)
	r, err := NewWAVReader(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, int64(-1), r.Frames())
	w, err := ReadWAV(bytes.NewReader(file))
	require.NoError(t, err)
	assert.Equal(t, samples, w.Samples)
}

// Read returns whole frames, even from a reader that returns one byte at a
// time, and io.EOF at the end.
func TestWAVReaderStreamsFrames(t *testing.T) {
	samples := AppendNoise(nil, 0.2, 3*999, 1)
	var buf bytes.Buffer
	require.NoError(t, WriteWAV(&buf, samples, 24000, 3))
	r, err := NewWAVReader(oneByteReader{bytes.NewReader(buf.Bytes())})
	require.NoError(t, err)
	assert.Equal(t, 24000, r.SampleRate())
	assert.Equal(t, 3, r.Channels())
	assert.Equal(t, int64(999), r.Frames())

	n, err := r.Read(make([]int16, 2))
	assert.ErrorIs(t, err, io.ErrShortBuffer)
	assert.Zero(t, n)

	var got []int16
	dst := make([]int16, 10) // holds 3 frames
	for {
		n, err := r.Read(dst)
		require.Zero(t, n%3)
		got = append(got, dst[:n]...)
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, samples, got)
	n, err = r.Read(dst)
	assert.Zero(t, n)
	assert.ErrorIs(t, err, io.EOF)
}

type oneByteReader struct{ r io.Reader }

func (o oneByteReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	return o.r.Read(p[:1])
}

func TestWriteWAVRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		rate, ch int
		frames   int
	}{
		{"16k mono", 16000, 1, 16000},
		{"24k mono", 24000, 1, 7},
		{"48k stereo", 48000, 2, 4800},
		{"44.1k 6ch", 44100, 6, 441},
		{"empty", 8000, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			samples := AppendNoise(nil, 0.3, tc.frames*tc.ch, 9)
			var buf bytes.Buffer
			require.NoError(t, WriteWAV(&buf, samples, tc.rate, tc.ch))
			assert.Equal(t, 44+2*len(samples), buf.Len())
			w, err := ReadWAV(&buf)
			require.NoError(t, err)
			assert.Equal(t, tc.rate, w.SampleRate)
			assert.Equal(t, tc.ch, w.Channels)
			assert.Equal(t, tc.frames, w.Frames())
			assert.Equal(t, len(samples), len(w.Samples))
			if len(samples) > 0 {
				assert.Equal(t, samples, w.Samples)
			}
			assert.Equal(t, time.Duration(tc.frames)*time.Second/time.Duration(tc.rate), w.Duration())
		})
	}
}

func TestWriteWAVErrors(t *testing.T) {
	var buf bytes.Buffer
	require.ErrorIs(t, WriteWAV(&buf, []int16{1, 2, 3}, 16000, 2), ErrChannels)
	require.ErrorIs(t, WriteWAV(&buf, nil, 16000, 0), ErrChannels)
	require.ErrorIs(t, WriteWAV(&buf, nil, 0, 1), ErrRate)
	assert.Zero(t, buf.Len())
}

// The streaming writer patches sizes on Close, also when the file does not
// start at offset 0, and the result reads back.
func TestWAVWriterFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.wav")
	f, err := os.Create(path)
	require.NoError(t, err)
	defer f.Close()
	_, err = f.Write([]byte("prefix"))
	require.NoError(t, err)

	ww, err := NewWAVWriter(f, 48000, 2)
	require.NoError(t, err)
	samples := AppendTone(nil, 1000, 0.5, 48000, 2*4800)
	for c := range 10 {
		require.NoError(t, ww.WriteSamples(samples[c*960:(c+1)*960]))
	}
	_, err = ww.Write([]byte{1, 2, 3})
	require.ErrorIs(t, err, ErrChannels)
	assert.Equal(t, int64(4800), ww.Frames())
	require.NoError(t, ww.Close())
	require.NoError(t, ww.Close()) // idempotent
	require.ErrorIs(t, ww.WriteSamples(samples[:2]), ErrWAVClosed)

	// Positioned after the data.
	pos, err := f.Seek(0, io.SeekCurrent)
	require.NoError(t, err)
	assert.Equal(t, int64(6+44+2*len(samples)), pos)

	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	w, err := ReadWAV(bytes.NewReader(raw[6:]))
	require.NoError(t, err)
	assert.Equal(t, 48000, w.SampleRate)
	assert.Equal(t, 2, w.Channels)
	assert.Equal(t, samples, w.Samples)
	// Byte-identical to WriteWAV's output.
	var whole bytes.Buffer
	require.NoError(t, WriteWAV(&whole, samples, 48000, 2))
	assert.Equal(t, whole.Bytes(), raw[6:])
}

type failWriteSeeker struct{ n int }

func (f *failWriteSeeker) Write(p []byte) (int, error) {
	if f.n == 0 {
		return 0, errors.New("disk full")
	}
	f.n--
	return len(p), nil
}
func (f *failWriteSeeker) Seek(int64, int) (int64, error) { return 0, nil }

func TestWAVWriterErrors(t *testing.T) {
	_, err := NewWAVWriter(&failWriteSeeker{n: 1}, 0, 1)
	require.ErrorIs(t, err, ErrRate)
	_, err = NewWAVWriter(&failWriteSeeker{n: 0}, 16000, 1)
	require.ErrorContains(t, err, "disk full")

	ww, err := NewWAVWriter(&failWriteSeeker{n: 1}, 16000, 1)
	require.NoError(t, err)
	require.ErrorContains(t, ww.WriteSamples([]int16{1}), "disk full")
	require.ErrorContains(t, ww.WriteSamples([]int16{1}), "disk full") // sticky
	require.Error(t, ww.Close())
}

// The committed speech files are what testdata/README.md says.
func TestTestdataWAVs(t *testing.T) {
	for _, name := range []string{"hello.wav", "interrupt.wav"} {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "..", "testdata", name))
			require.NoError(t, err)
			defer f.Close()
			w, err := ReadWAV(f)
			require.NoError(t, err)
			assert.Equal(t, 16000, w.SampleRate)
			assert.Equal(t, 1, w.Channels)
			assert.Greater(t, w.Duration(), time.Second)
			assert.Less(t, w.Duration(), 5*time.Second)
			assert.Greater(t, DBFS(w.Samples), -30.0)
		})
	}
}
