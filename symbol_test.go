package fullduplex_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
)

func TestAudioSymbol(t *testing.T) {
	pcm := make([]byte, 640) // 20 ms at 16 kHz
	s := fd.AudioSymbol(pcm, 16000)
	assert.Equal(t, fd.ModalityAudio, s.Modality)
	assert.Equal(t, "audio/pcm;rate=16000", s.MIMEType)
	assert.Equal(t, 16000, s.SampleRate())
	assert.Equal(t, 1, s.Channels())
	assert.Equal(t, 20*time.Millisecond, s.Duration())
	assert.Equal(t, 16000, s.Metadata[fd.MetaSampleRate])
	assert.False(t, s.Timestamp.IsZero())
	_, ok := s.TextValue()
	assert.False(t, ok)
	require.NoError(t, s.Validate())
	assert.Equal(t, "audio/pcm;rate=11025", fd.AudioSymbol(pcm, 11025).MIMEType)
}

func TestTextImageVideoSymbols(t *testing.T) {
	s := fd.TextSymbol("héllo")
	v, ok := s.TextValue()
	require.True(t, ok)
	assert.Equal(t, "héllo", v)
	assert.Equal(t, 0, s.SampleRate())
	assert.Equal(t, 0, s.Channels())
	assert.Equal(t, time.Duration(0), s.Duration())

	img := fd.ImageSymbol([]byte{0xff, 0xd8}, "image/jpeg")
	assert.Equal(t, fd.ModalityImage, img.Modality)
	require.NoError(t, img.Validate())
	vid := fd.VideoSymbol([]byte{0xff, 0xd8}, "image/jpeg")
	assert.Equal(t, fd.ModalityVideo, vid.Modality)
	require.NoError(t, vid.Validate())
}

func TestSampleRateFromMIMEWithoutMetadata(t *testing.T) {
	s := fd.Symbol{Modality: fd.ModalityAudio, Data: make([]byte, 96), MIMEType: "audio/pcm; rate=24000; channels=2"}
	assert.Equal(t, 24000, s.SampleRate())
	assert.Equal(t, 2, s.Channels())
	assert.Equal(t, time.Millisecond, s.Duration()) // 96 bytes = 24 stereo frames
	s.MIMEType = "audio/pcm;rate=abc"
	assert.Equal(t, 0, s.SampleRate())
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		s    fd.Symbol
		want string // substring of the error; "" means valid
	}{
		{"audio ok", fd.AudioSymbol(make([]byte, 4), 16000), ""},
		{"empty audio", fd.AudioSymbol(nil, 16000), "empty audio symbol"},
		{"zero rate", fd.AudioSymbol(make([]byte, 4), 0), "sample rate is 0"},
		{"negative rate", fd.AudioSymbol(make([]byte, 4), -8000), "sample rate is -8000"},
		{"odd bytes", fd.AudioSymbol(make([]byte, 3), 16000), "3 bytes of 16-bit PCM"},
		{"stereo half frame", fd.Symbol{Modality: fd.ModalityAudio, Data: make([]byte, 6), MIMEType: "audio/pcm;rate=16000;channels=2"}, "not a whole number of frames"},
		{"empty text", fd.TextSymbol(""), "empty text symbol"},
		{"bad utf8", fd.Symbol{Modality: fd.ModalityText, Data: []byte{0xff, 0xfe}}, "not valid UTF-8"},
		{"image no mime", fd.ImageSymbol([]byte{1}, ""), "image symbol has no MIME type"},
		{"unknown modality", fd.Symbol{Modality: "smell", Data: []byte{1}}, `unknown modality "smell"`},
		{"zero symbol", fd.Symbol{}, "empty  symbol"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, fd.ErrInvalidSymbol)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

// Building an audio Symbol at a common rate or a text Symbol allocates at
// most once, and readers still find the rate in Metadata.
func TestBuildingASymbolAllocatesAtMostOnce(t *testing.T) {
	pcm := make([]byte, 640)
	var s fd.Symbol
	audio := testing.AllocsPerRun(100, func() { s = fd.AudioSymbol(pcm, 16000) })
	assert.LessOrEqual(t, audio, 1.0, "allocations per AudioSymbol")
	assert.Equal(t, 16000, s.Metadata[fd.MetaSampleRate])
	assert.Equal(t, 1, s.Metadata[fd.MetaChannels])
	text := testing.AllocsPerRun(100, func() { s = fd.TextSymbol("hello") })
	assert.LessOrEqual(t, text, 1.0, "allocations per TextSymbol")
	// An uncommon rate gets a map of its own, with the same keys.
	odd := fd.AudioSymbol(pcm, 12345)
	assert.Equal(t, 12345, odd.Metadata[fd.MetaSampleRate])
	require.NoError(t, odd.Validate())
}

// WithMeta copies: the shared metadata of AudioSymbol stays as it was.
func TestWithMetaCopies(t *testing.T) {
	a := fd.AudioSymbol(make([]byte, 4), 24000)
	b := a.WithMeta(fd.MetaRole, fd.RoleModel).WithMeta(fd.MetaTurn, 3)
	assert.Equal(t, fd.RoleModel, b.Role())
	turn, _ := b.Turn()
	assert.Equal(t, 3, turn)
	assert.Equal(t, 24000, b.SampleRate())
	assert.Len(t, a.Metadata, 2, "the original is unchanged")
	assert.Len(t, fd.AudioSymbol(nil, 24000).Metadata, 2, "the shared map is unchanged")
}

// Writing into the shared map is caught by Validate (so by every stream's
// Send) with a clear error instead of silently tagging every later Symbol.
func TestValidateCatchesAWriteToSharedMetadata(t *testing.T) {
	s := fd.AudioSymbol(make([]byte, 4), 44100)
	s.Metadata[fd.MetaRole] = fd.RoleUser // the mistake
	defer delete(s.Metadata, fd.MetaRole)
	err := fd.AudioSymbol(make([]byte, 4), 44100).Validate()
	require.ErrorIs(t, err, fd.ErrInvalidSymbol)
	assert.Contains(t, err.Error(), "WithMeta")
}

func TestRoleAndTurn(t *testing.T) {
	s := fd.TextSymbol("x")
	assert.Equal(t, "", s.Role())
	_, ok := s.Turn()
	assert.False(t, ok)
	s.Metadata = map[string]any{fd.MetaRole: fd.RoleModel, fd.MetaTurn: 3}
	assert.Equal(t, "model", s.Role())
	turn, ok := s.Turn()
	assert.True(t, ok)
	assert.Equal(t, 3, turn)
}

func TestSymbolString(t *testing.T) {
	assert.Equal(t, `text "hi"`, fd.TextSymbol("hi").String())
	assert.Contains(t, fd.AudioSymbol(make([]byte, 640), 16000).String(), "640 bytes @16000 Hz (20ms)")
}
