package twiliotest_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

func TestReadWAVResamplesTo8kHz(t *testing.T) {
	s, err := twiliotest.ReadWAV("../../../testdata/hello.wav")
	require.NoError(t, err)
	assert.InDelta(t, 46586/2, len(s), 1, "hello.wav is 46586 samples at 16 kHz")

	_, err = twiliotest.ReadWAV("no-such.wav")
	assert.Error(t, err)
}
