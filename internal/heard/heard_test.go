package heard

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestPart(t *testing.T) {
	const ms = time.Millisecond
	for _, tc := range []struct {
		text             string
		played, received time.Duration
		want             string
	}{
		{"hello world", 500 * ms, 1000 * ms, "hello"},
		{"hello world", 0, 1000 * ms, ""},
		{"hello world", -5 * ms, 1000 * ms, ""},
		{"hello world", 2000 * ms, 1000 * ms, "hello world"},
		{"hello world", 100 * ms, 0, "hello world"},
		{"héllo", 200 * ms, 1000 * ms, "h"}, // byte 1 is the start of é: cut before it
		{"日本語", 500 * ms, 1000 * ms, "日"},   // byte 4 is inside 本: back to its start
		{"", 500 * ms, 1000 * ms, ""},
	} {
		assert.Equal(t, tc.want, Part(tc.text, tc.played, tc.received), "%q %v/%v", tc.text, tc.played, tc.received)
	}
}

func TestOfClampsToReceived(t *testing.T) {
	assert.Equal(t, &fullduplex.Heard{Audio: time.Second, Received: time.Second, Transcript: "all of it"}, Of("all of it", 3*time.Second, time.Second))
	assert.Equal(t, &fullduplex.Heard{Received: time.Second}, Of("none", -time.Second, time.Second))
}
