package twilio

import "errors"

var (
	// ErrMalformed is wrapped by the error that ends a call when Twilio
	// sent a frame that is not a Media Streams message.
	ErrMalformed = errors.New("twilio: malformed media stream message")
	// ErrDisconnected is wrapped by the error that ends a call when the
	// WebSocket closed without a stop message.
	ErrDisconnected = errors.New("twilio: media stream disconnected without stop")
	// ErrClosed is returned by Write and Next after the call has ended.
	ErrClosed = errors.New("twilio: call closed")
)
