package redact

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

const key = "AIzaSyCANARY-0123456789abcdefghijklmn"

// walk returns the messages of err and of everything its Unwrap chain
// reaches.
func walk(err error) []string {
	var out []string
	for err != nil {
		out = append(out, err.Error())
		err = errors.Unwrap(err)
	}
	return out
}

func TestErrorRedactsTheWholeChain(t *testing.T) {
	inner := fmt.Errorf("server said: bad key %s: %w", key, io.ErrUnexpectedEOF)
	err := Error(fmt.Errorf("gemini: receive: %w", inner), key)
	msgs := walk(err)
	if len(msgs) < 3 {
		t.Fatalf("chain lost: %q", msgs)
	}
	for _, m := range msgs {
		if strings.Contains(m, key) || strings.Contains(m, key[:20]) {
			t.Fatalf("secret in %q", m)
		}
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		if out := fmt.Sprintf(verb, err); strings.Contains(out, key) {
			t.Fatalf("secret in %s: %s", verb, out)
		}
	}
	if !strings.Contains(err.Error(), Marker) {
		t.Fatalf("no marker in %q", err)
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("errors.Is lost the sentinel: %v", err)
	}
	joined := Error(errors.Join(errors.New("a "+key), io.EOF), key)
	if strings.Contains(joined.Error(), key) || !errors.Is(joined, io.EOF) {
		t.Fatalf("joined: %v", joined)
	}
}

type typed struct{ code int }

func (e *typed) Error() string { return fmt.Sprint("code ", e.code) }

// An error without the secret is returned as it is: errors.As still works.
func TestErrorKeepsCleanErrors(t *testing.T) {
	orig := fmt.Errorf("wrap: %w", &typed{7})
	if got := Error(orig, key); got != orig {
		t.Fatalf("clean error replaced: %v", got)
	}
	var te *typed
	if !errors.As(Error(orig, key), &te) || te.code != 7 {
		t.Fatal("errors.As lost the typed error")
	}
	if Error(nil, key) != nil {
		t.Fatal("Error(nil) is not nil")
	}
	if got := Error(errors.New("x"), ""); got.Error() != "x" {
		t.Fatalf("an empty secret redacted something: %v", got)
	}
}

// Cutting after redaction leaves no part of a secret that straddles the cut.
func TestCutRedactsBeforeCutting(t *testing.T) {
	body := strings.Repeat("x", 480) + "Bearer " + key // the key straddles byte 500
	if naive := body[:500]; !strings.Contains(naive, key[:5]) {
		t.Fatal("the test body does not straddle the cut")
	}
	got := Cut(body, 500, key)
	if strings.Contains(got, key[:5]) {
		t.Fatalf("part of the key survived the cut: %q", got[480:])
	}
	if got := Cut("héllo", 2, key); got != "h…" {
		t.Fatalf("Cut at a rune boundary: %q", got)
	}
}
