package livekit

import (
	"os"
	"time"

	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// DefaultURL is the URL of `livekit-server --dev` on this machine.
const DefaultURL = "ws://127.0.0.1:7880"

// defaultFrame is Config.Frame's default.
const defaultFrame = 20 * time.Millisecond

// Config configures a Room. The zero value means the defaults in each
// field's comment (Token is required). A Config is a value: Join copies it.
type Config struct {
	// URL of the LiveKit server (ws://, wss://, http:// or https://).
	// Default $LIVEKIT_URL, then DefaultURL.
	URL string
	// Token is the access token the agent joins with: it names the room
	// and the agent's identity (see NewToken; a Worker gets one per job
	// from the server). Required. It never appears in errors or logs.
	Token string
	// Listen chooses whose audio the agent hears. Default FirstCaller().
	Listen ListenPolicy
	// InputSampleRate is the rate of the audio symbols Next returns.
	// Default 16000 (what Gemini Live and most backends take).
	InputSampleRate int
	// Frame is the duration of each input symbol. Default 20 ms.
	Frame time.Duration
	// InputBuffer bounds each caller's audio waiting for Next; beyond it
	// the oldest is dropped (Stats counts it). Default 2 s.
	InputBuffer time.Duration
	// Buffer bounds the model audio queued for the room; Write waits for
	// room when it is full. Default 30 s.
	Buffer time.Duration
	// TrackName is the name of the agent's published audio track.
	// Default "agent".
	TrackName string
	// DisableTranscripts stops Write from sending transcripts to the room
	// as text streams. Default false: every transcript is sent.
	DisableTranscripts bool
	// BargeIn configures the barge-in watcher Run puts on the room's
	// input. WebRTC clients cancel their own echo, so Run turns the echo
	// gate off (bargein.Config.DisableEchoGate) unless EchoGate is set.
	// Default: package bargein's defaults.
	BargeIn bargein.Config
	// EchoGate keeps bargein's echo gate on, for callers whose client does
	// no echo cancellation. Default false.
	EchoGate bool
	// DisableBargeIn makes Run leave interrupting to the backend (its own
	// voice activity detection). Default false: Run watches the callers.
	DisableBargeIn bool
	// LevelDecay is the time constant of Level's decay. Default 250 ms.
	LevelDecay time.Duration
	// ConnectTimeout bounds each attempt to connect to the room (signal
	// and media), within Join's ctx. Default 30 s: twice the server SDK's
	// own 15 s, which 20 agents joining at once on a loaded machine can
	// exceed.
	ConnectTimeout time.Duration
}

func (c Config) withDefaults() Config {
	if c.URL == "" {
		c.URL = os.Getenv("LIVEKIT_URL")
	}
	if c.URL == "" {
		c.URL = DefaultURL
	}
	if c.InputSampleRate <= 0 {
		c.InputSampleRate = 16000
	}
	if c.Frame <= 0 {
		c.Frame = defaultFrame
	}
	if c.InputBuffer <= 0 {
		c.InputBuffer = 2 * time.Second
	}
	if c.Buffer <= 0 {
		c.Buffer = 30 * time.Second
	}
	if c.TrackName == "" {
		c.TrackName = "agent"
	}
	if c.LevelDecay <= 0 {
		c.LevelDecay = 250 * time.Millisecond
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = 30 * time.Second
	}
	return c
}
