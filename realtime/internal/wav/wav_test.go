package wav_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/realtime/internal/wav"
)

func TestFromSymbolRoundTrips(t *testing.T) {
	samples := pcm.AppendTone(nil, 440, 0.5, 16000, 320)
	data, err := wav.FromSymbol(fd.AudioSymbol(pcm.EncodeInt16(nil, samples), 16000))
	require.NoError(t, err)
	assert.Len(t, data, 44+640)
	got, err := pcm.ReadWAV(bytes.NewReader(data))
	require.NoError(t, err)
	assert.Equal(t, 16000, got.SampleRate)
	assert.Equal(t, samples, got.Samples)
}

func TestFromSymbolRefusesWhatIsNotPCM(t *testing.T) {
	for name, s := range map[string]fd.Symbol{
		"text":       fd.TextSymbol("x"),
		"odd length": {Modality: fd.ModalityAudio, Data: []byte{1, 2, 3}, Metadata: map[string]any{fd.MetaSampleRate: 16000}},
		"no rate":    {Modality: fd.ModalityAudio, Data: []byte{1, 2}},
	} {
		_, err := wav.FromSymbol(s)
		assert.ErrorIs(t, err, fd.ErrInvalidSymbol, name)
	}
}
