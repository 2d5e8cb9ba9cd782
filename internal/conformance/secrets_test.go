package conformance_test

import (
	"bytes"
	"context"
	"fmt"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
)

// canary is the API key every backend below is given; servers quote it back
// in every way they can. (gemini has its own sweep over its error paths in
// gemini/secrets_test.go.)
const canary = "sk-CANARY-7f3a9c1e5b2d4f6a8c0e1b3d5f7a9c1e"

// leaks returns where the canary appears in err: its message under every
// verb, and every error its Unwrap tree reaches.
func leaks(err error) []string {
	var out []string
	var walk func(e error)
	walk = func(e error) {
		if e == nil {
			return
		}
		for _, verb := range []string{"%v", "%+v", "%#v"} {
			if s := fmt.Sprintf(verb, e); strings.Contains(s, canary) || strings.Contains(s, canary[:20]) {
				out = append(out, fmt.Sprintf("%s of %T: %s", verb, e, s))
			}
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			walk(u.Unwrap())
		case interface{ Unwrap() []error }:
			for _, x := range u.Unwrap() {
				walk(x)
			}
		}
	}
	walk(err)
	return out
}

// hostile answers every request with the key quoted back, in a different
// shape per request.
func hostile(t *testing.T, shapes []func(w http.ResponseWriter)) string {
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		shapes[n%len(shapes)](w)
		n++
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

var echoKey = []func(w http.ResponseWriter){
	func(w http.ResponseWriter) { // an error status whose body echoes the header across any cut
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":{"message":"%sAuthorization: Bearer %s is not valid"}}`, strings.Repeat("x", 470), canary)
	},
	func(w http.ResponseWriter) { // a plain-text error body
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, "forbidden for key %s", canary)
	},
	func(w http.ResponseWriter) { // an SSE error line
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "error: {\"message\":\"bad key %s\"}\n\n", canary)
	},
	func(w http.ResponseWriter) { // a malformed chunk quoting the key
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"choices\": [%s\n\n", canary)
	},
	func(w http.ResponseWriter) { // an error object inside the stream
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"object\":\"error\",\"message\":\"key %s revoked\"}\n\n", canary)
	},
	func(w http.ResponseWriter) { // a JSON error body with a string error
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprintf(w, `{"error":"quota exceeded for %s"}`, canary)
	},
}

// collect sends one text turn per shape through a realtime stream over model
// and returns every error it reports (EventError data and Receive's error).
func collect(t *testing.T, model realtime.TurnModel, turns int) []error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	st := realtime.NewStream(model, realtime.Config{})
	defer st.Close()
	if err := st.Connect(ctx); err != nil {
		return []error{err}
	}
	var errs []error
	for i := range turns {
		if err := st.Send(ctx, fd.TextSymbol(fmt.Sprint("question ", i))); err != nil {
			errs = append(errs, err)
			continue
		}
		for {
			item, err := st.Receive(ctx)
			if err != nil {
				errs = append(errs, err)
				break
			}
			ev, ok := item.(fd.StreamEvent)
			if !ok {
				continue
			}
			if e, ok := ev.Data.(error); ok {
				errs = append(errs, e)
			}
			if ev.Type == fd.EventStreamEnd || ev.Type == fd.EventInterrupt {
				break
			}
		}
	}
	return errs
}

// captureLog routes the standard logger (which the SDKs write to) into a
// buffer for the test.
func captureLog(t *testing.T) *bytes.Buffer {
	var buf bytes.Buffer
	log.SetOutput(&buf)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })
	return &buf
}

// Every error path of the turn-model backends and OpenAI Realtime, driven
// by servers that quote the key back: no error, event or log line carries
// it, however deep errors.Unwrap goes.
func TestTheKeyNeverLeaks(t *testing.T) {
	logs := captureLog(t)
	check := func(t *testing.T, errs []error, want int) {
		t.Helper()
		if len(errs) < want {
			t.Fatalf("only %d errors reported, want at least %d: %v", len(errs), want, errs)
		}
		for _, err := range errs {
			if l := leaks(err); len(l) > 0 {
				t.Errorf("the key leaks: %s", strings.Join(l, "; "))
			}
		}
	}
	t.Run("openaicompat", func(t *testing.T) {
		url := hostile(t, echoKey)
		errs := collect(t, openaicompat.New(openaicompat.Config{BaseURL: url, APIKey: canary}), len(echoKey))
		check(t, errs, len(echoKey))
	})
	t.Run("geminiturn", func(t *testing.T) {
		url := hostile(t, echoKey)
		m, err := geminiturn.New(geminiturn.Config{BaseURL: url, APIKey: canary})
		if err != nil {
			t.Fatal(err)
		}
		check(t, collect(t, m, len(echoKey)), len(echoKey))
	})
	t.Run("openai", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv := openaitest.NewServer(openaitest.Options{APIKey: canary})
		defer srv.Close()
		var errs []error
		// A wrong key: the handshake is refused.
		bad := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: canary + "-wrong"})
		if err := bad.Connect(ctx); err != nil {
			errs = append(errs, err)
		}
		bad.Close()
		st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: canary, MaxReconnects: -1})
		defer st.Close()
		if err := st.Connect(ctx); err != nil {
			t.Fatal(err)
		}
		c, err := srv.WaitConn(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		_ = c.Push(map[string]any{"type": "error", "error": map[string]any{"type": "invalid_request_error", "code": "bad", "message": "key " + canary + " is revoked"}})
		_ = c.PushRaw([]byte(`{"type":"response.output_audio.delta","delta":` + canary))
		_ = c.CloseWith(1008, "policy: "+canary)
		for {
			item, err := st.Receive(ctx)
			if err != nil {
				errs = append(errs, err)
				break
			}
			if ev, ok := item.(fd.StreamEvent); ok {
				if e, ok := ev.Data.(error); ok {
					errs = append(errs, e)
				}
				if ev.Type == fd.EventReconnect {
					errs = append(errs, fmt.Errorf("reconnect: %+v", ev.Data))
				}
			}
		}
		check(t, errs, 3)
	})
	if strings.Contains(logs.String(), canary) || strings.Contains(logs.String(), canary[:20]) {
		t.Errorf("the key is in the log: %s", logs.String())
	}
}
