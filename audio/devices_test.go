package audio

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDevicesListsTheRig(t *testing.T) {
	requireRig(t)
	devs, err := Devices()
	require.NoError(t, err)
	require.NotEmpty(t, devs)
	var in, out bool
	for _, d := range devs {
		assert.NotEmpty(t, d.Name)
		assert.NotEmpty(t, d.HostAPI)
		assert.NotEmpty(t, d.String())
		in = in || d.DefaultInput
		out = out || d.DefaultOutput
	}
	assert.True(t, in, "a default input device")
	assert.True(t, out, "a default output device")

	ins, err := InputDevices()
	require.NoError(t, err)
	for _, d := range ins {
		assert.True(t, d.IsInput())
	}
	outs, err := OutputDevices()
	require.NoError(t, err)
	for _, d := range outs {
		assert.True(t, d.IsOutput())
	}
}

func TestFindDevice(t *testing.T) {
	requireRig(t)
	def, err := FindDevice("", false)
	require.NoError(t, err)
	assert.True(t, def.DefaultOutput)
	assert.Greater(t, def.DefaultSampleRate, 0.0)

	byIndex, err := FindDevice(itoa(def.Index), false)
	require.NoError(t, err)
	assert.Equal(t, def.Name, byIndex.Name)

	byName, err := FindDevice(def.Name, false)
	require.NoError(t, err)
	assert.Equal(t, def.Index, byName.Index)

	pulse, err := FindDevice("PULSE", true) // case-insensitive exact name
	require.NoError(t, err)
	assert.Equal(t, "pulse", pulse.Name)
}

func TestDeviceErrors(t *testing.T) {
	requireRig(t)
	cases := []struct {
		name, sel string
		input     bool
		msg       string
	}{
		{"unknown name", "no-such-device-xyz", false, `no output device named "no-such-device-xyz"`},
		{"unknown name input", "no-such-device-xyz", true, `no input device named "no-such-device-xyz"`},
		{"index out of range", "9999", false, "no device with index 9999"},
		{"ambiguous substring", "e", false, "give more of the name or an index"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := FindDevice(c.sel, c.input)
			require.ErrorIs(t, err, ErrNoDevice)
			assert.Contains(t, err.Error(), c.msg)
		})
	}

	_, err := OpenSpeaker(SpeakerConfig{Device: "no-such-device-xyz"})
	require.ErrorIs(t, err, ErrNoDevice)
	_, err = OpenMicrophone(MicrophoneConfig{Device: "no-such-device-xyz"})
	require.ErrorIs(t, err, ErrNoDevice)
	_, err = OpenMicrophone(MicrophoneConfig{Chunk: 5e6})
	require.Error(t, err, "a 5 ms chunk is refused")
	_, err = OpenSpeaker(SpeakerConfig{DeviceRate: 5})
	require.Error(t, err)
	_, err = OpenSpeaker(SpeakerConfig{DeviceRate: 1234567})
	require.Error(t, err)
	// PortAudio stays usable after the failures.
	_, err = Devices()
	require.NoError(t, err)
}
