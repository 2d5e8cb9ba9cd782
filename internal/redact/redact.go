// Package redact keeps secrets (API keys, tokens) out of the text of errors
// and messages, in one place for the whole project.
//
// Redact first, then cut: a message that is truncated before redaction can
// keep the first part of a secret that straddles the cut.
package redact

import (
	"errors"
	"strconv"
	"strings"
)

// Marker replaces every occurrence of a secret.
const Marker = "[redacted]"

// String returns s with every occurrence of each non-empty secret replaced
// by Marker.
func String(s string, secrets ...string) string {
	for _, secret := range secrets {
		if secret != "" && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Marker)
		}
	}
	return s
}

// Cut returns s redacted, then cut to at most max bytes (at a rune
// boundary, with "…" appended when it was cut).
func Cut(s string, max int, secrets ...string) string {
	s = String(s, secrets...)
	if len(s) <= max {
		return s
	}
	i := max
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// Error returns err with every secret removed from its message and from
// the message of every error its Unwrap chain reaches, or err itself when
// no secret occurs in that chain (so errors.As keeps finding its typed
// errors). A redacted error still answers errors.Is for the sentinels of
// the original chain, but errors.As cannot reach the original values, whose
// fields may hold the secret: give backend error types redacted fields
// instead. Error(nil) is nil.
func Error(err error, secrets ...string) error {
	if err == nil || !leaks(err, secrets) {
		return err
	}
	return &redacted{msg: String(err.Error(), secrets...), orig: err, secrets: secrets}
}

// leaks reports whether a secret occurs in the message of err or of any
// error its Unwrap chain (or tree) reaches.
func leaks(err error, secrets []string) bool {
	if err == nil {
		return false
	}
	if String(err.Error(), secrets...) != err.Error() {
		return true
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		return leaks(u.Unwrap(), secrets)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if leaks(e, secrets) {
				return true
			}
		}
	}
	return false
}

// A redacted error carries a redacted message; its Unwrap chain is
// redacted too.
type redacted struct {
	msg     string
	orig    error
	secrets []string
}

func (e *redacted) Error() string { return e.msg }

// GoString keeps %#v from printing the fields, which hold the secrets.
func (e *redacted) GoString() string { return "redact.Error(" + strconv.Quote(e.msg) + ")" }

// Is reports whether the original chain matches target: comparing with a
// sentinel reveals no text.
func (e *redacted) Is(target error) bool { return errors.Is(e.orig, target) }

// Unwrap returns the next error of the original chain, redacted.
func (e *redacted) Unwrap() error {
	switch u := e.orig.(type) {
	case interface{ Unwrap() error }:
		return Error(u.Unwrap(), e.secrets...)
	case interface{ Unwrap() []error }:
		errs := u.Unwrap()
		out := make([]error, 0, len(errs))
		for _, x := range errs {
			out = append(out, Error(x, e.secrets...))
		}
		return errors.Join(out...)
	}
	return nil
}
