package twilio_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/telephony/twilio"
)

// Messages as Twilio documents them.
var twilioMessages = map[string]string{
	"connected": `{"event":"connected","protocol":"Call","version":"1.0.0"}`,
	"start": `{"event":"start","sequenceNumber":"1","start":{"accountSid":"AC1","streamSid":"MZ1","callSid":"CA1",` +
		`"tracks":["inbound"],"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},` +
		`"customParameters":{"FirstName":"Jane"}},"streamSid":"MZ1"}`,
	"media": `{"event":"media","sequenceNumber":"3","media":{"track":"inbound","chunk":"1","timestamp":"5","payload":"no+JhoaJjpzSHxAKBgYJDhtEopGKh4aIjZa/JBUMCAYIDBU0rZmNiIaHi5Kt"},"streamSid":"MZ1"}`,
	"dtmf":  `{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}`,
	"mark":  `{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"my label"}}`,
	"stop":  `{"event":"stop","sequenceNumber":"5","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}`,
}

func TestDecodeMessageTwilioShapes(t *testing.T) {
	for name, raw := range twilioMessages {
		t.Run(name, func(t *testing.T) {
			m, err := twilio.DecodeMessage([]byte(raw))
			require.NoError(t, err)
			assert.Equal(t, name, m.Event)
			switch name {
			case "start":
				assert.Equal(t, "CA1", m.Start.CallSid)
				assert.Equal(t, "MZ1", m.Start.StreamSid)
				assert.Equal(t, map[string]string{"FirstName": "Jane"}, m.Start.CustomParameters)
				assert.Equal(t, twilio.MediaFormat{Encoding: "audio/x-mulaw", SampleRate: 8000, Channels: 1}, m.Start.MediaFormat)
			case "media":
				assert.Equal(t, "1", m.Media.Chunk)
				assert.Len(t, m.Media.Audio, 45, "the payload is decoded")
			case "dtmf":
				assert.Equal(t, "1", m.DTMF.Digit)
			case "mark":
				assert.Equal(t, "my label", m.Mark.Name)
			case "stop":
				assert.Equal(t, "CA1", m.Stop.CallSid)
			}
		})
	}
}

func TestDecodeMessageMalformed(t *testing.T) {
	for name, raw := range map[string]string{
		"not JSON":        `{"event":"media",`,
		"no event":        `{"streamSid":"MZ1"}`,
		"start without":   `{"event":"start"}`,
		"media without":   `{"event":"media"}`,
		"bad base64":      `{"event":"media","media":{"payload":"!!!"}}`,
		"dtmf without":    `{"event":"dtmf","dtmf":{}}`,
		"mark without":    `{"event":"mark","mark":{"name":""}}`,
		"wrong type":      `{"event":"media","media":{"payload":5}}`,
		"array":           `[1,2,3]`,
		"too large":       `{"event":"media","media":{"payload":"` + strings.Repeat("A", twilio.MaxMessage) + `"}}`,
		"empty":           ``,
		"JSON null":       `null`,
		"start not a map": `{"event":"start","start":"x"}`,
	} {
		t.Run(name, func(t *testing.T) {
			_, err := twilio.DecodeMessage([]byte(raw))
			require.ErrorIs(t, err, twilio.ErrMalformed)
			assert.Less(t, len(err.Error()), 300, "the error is short: %.300s", err)
		})
	}
}

func TestDecodeMessageKeepsUnknownEvents(t *testing.T) {
	m, err := twilio.DecodeMessage([]byte(`{"event":"somethingNew","streamSid":"MZ1"}`))
	require.NoError(t, err)
	assert.Equal(t, "somethingNew", m.Event)
}

// FuzzDecodeMessage: any input gets a Message or an error wrapping
// ErrMalformed, never a panic; what it accepts has an event and the fields
// that event needs, and survives a round trip through JSON.
func FuzzDecodeMessage(f *testing.F) {
	for _, raw := range twilioMessages {
		f.Add([]byte(raw))
	}
	f.Add([]byte(`{"event":"media","media":{"payload":"!!"}}`))
	f.Add([]byte(`{"event":"start","start":null}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := twilio.DecodeMessage(data)
		if err != nil {
			if !errors.Is(err, twilio.ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
			return
		}
		if m.Event == "" {
			t.Fatal("accepted a message without an event")
		}
		switch m.Event {
		case twilio.EventStart:
			if m.Start == nil {
				t.Fatal("start without start")
			}
		case twilio.EventMedia:
			if m.Media == nil {
				t.Fatal("media without media")
			}
		case twilio.EventDTMF:
			if m.DTMF == nil || m.DTMF.Digit == "" {
				t.Fatal("dtmf without digit")
			}
		case twilio.EventMark:
			if m.Mark == nil || m.Mark.Name == "" {
				t.Fatal("mark without name")
			}
		}
		again, err := json.Marshal(m)
		if err != nil {
			t.Fatalf("re-encoding an accepted message: %v", err)
		}
		m2, err := twilio.DecodeMessage(again)
		if err != nil {
			t.Fatalf("re-decoding %s: %v", again, err)
		}
		if m.Media != nil && !bytes.Equal(m.Media.Audio, m2.Media.Audio) {
			t.Fatal("media audio changed in a round trip")
		}
	})
}
