package twilio

import "time"

// Config configures the calls a Handler serves. The zero value is ready to
// use. A Config is read-only once the Handler serves.
type Config struct {
	// SampleRate is the rate of the caller's audio symbols Next returns.
	// Default 16000 (the input rate of Gemini Live); 8000 returns Twilio's
	// own rate without resampling.
	SampleRate int
	// InputQueue is how many 20 ms frames of the caller's audio wait for
	// Next. When it is full the call stops reading the WebSocket until
	// Next takes one (backpressure), so nothing is dropped. Default 100
	// (2 s).
	InputQueue int
	// OutputQueue is how many messages (media and marks) wait to be written
	// to Twilio. When it is full Write waits for room or its ctx. Twilio
	// buffers what it receives and plays it in real time, so this queue
	// only holds what the socket has not taken yet. Default 256.
	OutputQueue int
	// WriteTimeout bounds each write to Twilio: a peer that stops reading
	// for longer ends the call with an error wrapping ErrStalled. Default
	// 5 s.
	WriteTimeout time.Duration
	// OnDTMF, if set, is called with each key the caller presses ("0" to
	// "9", "*", "#"), in order with the audio, on the goroutine that reads
	// the call. It must return quickly: call DuplexSession.Interrupt, or
	// send to a buffered channel.
	OnDTMF func(call *Call, digit string)
}

func (c Config) withDefaults() Config {
	if c.SampleRate == 0 {
		c.SampleRate = 16000
	}
	if c.InputQueue <= 0 {
		c.InputQueue = 100
	}
	if c.OutputQueue <= 0 {
		c.OutputQueue = 256
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = 5 * time.Second
	}
	return c
}
