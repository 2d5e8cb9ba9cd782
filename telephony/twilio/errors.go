package twilio

import "errors"

var (
	// ErrMalformed is wrapped by the error that ends a call when Twilio
	// sent a frame that is not a Media Streams message (or one larger than
	// MaxMessage).
	ErrMalformed = errors.New("twilio: malformed media stream message")
	// ErrDisconnected is wrapped by the error that ends a call when the
	// WebSocket closed without a stop message.
	ErrDisconnected = errors.New("twilio: media stream disconnected without stop")
	// ErrStalled is wrapped by the error that ends a call when a write to
	// Twilio did not finish within Config.WriteTimeout.
	ErrStalled = errors.New("twilio: media stream peer stopped reading")
	// ErrClosed is returned by Write after the call has ended.
	ErrClosed = errors.New("twilio: call closed")
	// ErrSignature is returned by ValidateRequest (and answered with 403 by
	// Handler and TwiMLHandler) when X-Twilio-Signature is missing or does
	// not match.
	ErrSignature = errors.New("twilio: X-Twilio-Signature missing or invalid")
)
