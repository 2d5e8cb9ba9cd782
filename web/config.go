package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/fullduplex-go/fullduplex/audio/bargein"
)

// Config configures a Handler. Only Serve is required; every other zero
// field means the default in its comment. NewHandler copies it; Serve,
// CheckOrigin and Authorize are then called from many goroutines at once.
type Config struct {
	// Serve runs the conversation of one connection, normally
	//
	//	func(ctx context.Context, c *web.Conn) error {
	//		stream := gemini.NewStream(cfg) // one per caller
	//		defer stream.Close()
	//		return c.Run(ctx, fullduplex.NewDuplexSession(stream))
	//	}
	//
	// It runs on the connection's own goroutine, one call per connection.
	// ctx is cancelled when the page goes away (the tab closes, the network
	// drops, IdleTimeout passes), when the page breaks the protocol, and
	// when the Handler closes. When Serve returns the connection ends: what
	// is queued for the page is sent, then a close frame.
	Serve func(ctx context.Context, c *Conn) error

	// CheckOrigin reports whether a browser page from the request's Origin
	// may connect. Default: a request without an Origin header (not a
	// browser), or whose Origin's host is the request's Host (the page this
	// Handler served). Pages of other sites are refused with 403.
	CheckOrigin func(r *http.Request) bool
	// Authorize, when set, is asked before the upgrade; an error refuses
	// the connection with 401 Unauthorized (the error is not sent to the
	// peer). Use it to check a session cookie or a token: the page never
	// needs a model API key.
	Authorize func(r *http.Request) error

	// InputRate is the rate the page captures at, in Hz; audio at any
	// other rate is refused. Default 16000.
	InputRate int
	// Frame is the duration of one captured audio frame. Default 20 ms.
	Frame time.Duration
	// VideoFPS is the rate of the camera or screen frames the page sends
	// while the user shares one (the Live API's guidance is 1 frame a
	// second). Default 1; negative turns video off (the page hides it).
	VideoFPS float64
	// Limits bounds the media frames accepted from the page. Default:
	// DefaultMaxAudioBytes, DefaultMaxVideoBytes.
	Limits Limits

	// InputQueue is how many symbols from the page may wait for Next.
	// When it is full the connection stops reading, so TCP pushes back on
	// the page. Default 50 (1 s of 20 ms frames).
	InputQueue int
	// OutputQueueBytes is how many bytes may wait to be sent to the page;
	// Write blocks while it is full. Default 1 MiB (about 20 s of 24 kHz
	// audio: the page's own buffer plays it in real time).
	OutputQueueBytes int
	// PingInterval is how often the server pings the page. Default 10 s.
	PingInterval time.Duration
	// IdleTimeout closes a connection from which nothing, not even a pong,
	// has arrived for this long. Default 30 s.
	IdleTimeout time.Duration
	// WriteTimeout bounds one write to the page. Default 10 s.
	WriteTimeout time.Duration

	// BargeIn configures the barge-in watcher of Conn.Run. Its echo gate
	// is always off: the page asks the browser for echo cancellation
	// (echoCancellation: true), which removes the model's voice from the
	// microphone before it is sent. Default: bargein's defaults.
	BargeIn bargein.Config
}

// Defaults.
const (
	DefaultInputRate        = 16000
	DefaultFrame            = 20 * time.Millisecond
	DefaultVideoFPS         = 1.0
	DefaultInputQueue       = 50
	DefaultOutputQueueBytes = 1 << 20
	DefaultPingInterval     = 10 * time.Second
	DefaultIdleTimeout      = 30 * time.Second
	DefaultWriteTimeout     = 10 * time.Second
)

func (c Config) withDefaults() (Config, error) {
	if c.Serve == nil {
		return c, errors.New("web: Config.Serve is required")
	}
	if c.InputRate == 0 {
		c.InputRate = DefaultInputRate
	}
	if c.InputRate < 8000 || c.InputRate > 48000 {
		return c, fmt.Errorf("web: InputRate %d (want 8000 to 48000)", c.InputRate)
	}
	if c.Frame == 0 {
		c.Frame = DefaultFrame
	}
	if c.Frame < 10*time.Millisecond || c.Frame > 100*time.Millisecond {
		return c, fmt.Errorf("web: Frame %v (want 10ms to 100ms)", c.Frame)
	}
	if c.VideoFPS == 0 {
		c.VideoFPS = DefaultVideoFPS
	}
	if c.VideoFPS > 30 {
		return c, fmt.Errorf("web: VideoFPS %g (want at most 30)", c.VideoFPS)
	}
	c.Limits = c.Limits.withDefaults()
	if c.InputQueue <= 0 {
		c.InputQueue = DefaultInputQueue
	}
	if c.OutputQueueBytes <= 0 {
		c.OutputQueueBytes = DefaultOutputQueueBytes
	}
	if c.PingInterval <= 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.IdleTimeout <= 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.CheckOrigin == nil {
		c.CheckOrigin = sameOrigin
	}
	c.BargeIn.DisableEchoGate = true
	return c, nil
}
