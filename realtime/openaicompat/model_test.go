package openaicompat_test

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat"
	"github.com/fullduplex-go/fullduplex/realtime/openaicompat/openaicompattest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testKey = "sk-test-4b1d9e"

func server(t *testing.T) *openaicompattest.Server {
	srv := openaicompattest.NewServer()
	t.Cleanup(srv.Close)
	return srv
}

func turn(role string, syms ...fd.Symbol) realtime.Turn {
	return realtime.Turn{Role: role, Symbols: syms}
}

// run collects an answer's text fragments and its error.
func run(ctx context.Context, m *openaicompat.Model, prompt []realtime.Turn) ([]string, error) {
	out, _, err := runUsage(ctx, m, prompt)
	return out, err
}

// runUsage collects an answer's text fragments, its usage events and its
// error; it fails on anything else.
func runUsage(ctx context.Context, m *openaicompat.Model, prompt []realtime.Turn) ([]string, []fd.Usage, error) {
	var out []string
	var usages []fd.Usage
	for it, err := range m.Generate(ctx, prompt) {
		if err != nil {
			return out, usages, err
		}
		switch it := it.(type) {
		case fd.Symbol:
			text, _ := it.TextValue()
			out = append(out, text)
		case fd.StreamEvent:
			if it.Type != fd.EventUsage {
				return out, usages, errors.New("unexpected event " + string(it.Type))
			}
			usages = append(usages, it.Data.(fd.Usage))
		}
	}
	return out, usages, nil
}

func TestStreamsTheAnswer(t *testing.T) {
	srv := server(t)
	temp := 0.5
	m := openaicompat.New(openaicompat.Config{
		BaseURL: srv.URL(), APIKey: testKey, Model: "local", SystemInstruction: "Be brief.",
		MaxTokens: 64, Temperature: &temp, Extra: map[string]any{"top_p": 0.9, "stream": false},
	})
	prompt := []realtime.Turn{
		turn(fd.RoleUser, fd.TextSymbol("Hi")),
		turn(fd.RoleModel, fd.TextSymbol("Hello!")),
		turn(fd.RoleUser, fd.TextSymbol("How are"), fd.TextSymbol("you?")),
	}
	out, err := run(ctxT(t), m, prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"You ", "said: ", "How ", "are\nyou?"}, out)

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, "Bearer "+testKey, r.Authorization)
	assert.Equal(t, "local", r.Model)
	assert.True(t, r.Stream, "Extra never replaces stream")
	assert.Equal(t, 0.9, r.Body["top_p"])
	assert.Equal(t, 0.5, r.Body["temperature"])
	assert.Equal(t, float64(64), r.Body["max_tokens"])
	assert.Equal(t, []openaicompattest.Message{
		{Role: "system", Content: "Be brief."},
		{Role: "user", Content: "Hi"},
		{Role: "assistant", Content: "Hello!"},
		{Role: "user", Content: "How are\nyou?"},
	}, r.Messages)
}

func TestDefaultsLeaveFieldsOut(t *testing.T) {
	srv := server(t)
	m := openaicompat.New(openaicompat.Config{BaseURL: srv.URL() + "/"})
	_, err := run(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("x"))})
	require.NoError(t, err)
	r := srv.Requests()[0]
	assert.Empty(t, r.Authorization)
	for _, k := range []string{"model", "max_tokens", "temperature"} {
		assert.NotContains(t, r.Body, k)
	}
}

func TestAudioAndImages(t *testing.T) {
	srv := server(t)
	audio := fd.AudioSymbol(make([]byte, 640), 16000)
	img := fd.ImageSymbol([]byte{0xff, 0xd8, 0xff}, "image/jpeg")
	prompt := []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("what is this?"), audio, img)}

	// Text only by default.
	_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}), prompt)
	require.NoError(t, err)
	assert.Equal(t, "what is this?", srv.Requests()[0].Messages[0].Content)

	_, err = run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL(), Audio: true, Images: true}), prompt)
	require.NoError(t, err)
	parts, ok := srv.Requests()[1].Messages[0].Content.([]any)
	require.True(t, ok)
	require.Len(t, parts, 3)
	assert.Equal(t, map[string]any{"type": "text", "text": "what is this?"}, parts[0])
	a := parts[1].(map[string]any)["input_audio"].(map[string]any)
	assert.Equal(t, "wav", a["format"])
	wav, err := base64.StdEncoding.DecodeString(a["data"].(string))
	require.NoError(t, err)
	assert.Equal(t, "RIFF", string(wav[:4]))
	assert.Len(t, wav, 44+640)
	u := parts[2].(map[string]any)["image_url"].(map[string]any)["url"].(string)
	assert.Equal(t, "data:image/jpeg;base64,/9j/", u)

	// Audio alone for a text model: a clear error, no request.
	_, err = run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}), []realtime.Turn{turn(fd.RoleUser, audio)})
	assert.ErrorIs(t, err, openaicompat.ErrNoInput)
	assert.Len(t, srv.Requests(), 2)
}

func TestSkippedTurnsMerge(t *testing.T) {
	srv := server(t)
	audio := fd.AudioSymbol(make([]byte, 640), 16000)
	prompt := []realtime.Turn{
		turn(fd.RoleUser, fd.TextSymbol("one")),
		turn(fd.RoleModel, audio), // nothing to send: the user turns around it merge
		turn(fd.RoleUser, fd.TextSymbol("two")),
	}
	_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL()}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []openaicompattest.Message{{Role: "user", Content: "one\ntwo"}}, srv.Requests()[0].Messages)
}

func TestErrors(t *testing.T) {
	prompt := []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))}
	tests := []struct {
		name  string
		reply openaicompattest.Reply
		frags []string
		check func(t *testing.T, err error)
	}{
		{"status", openaicompattest.Reply{Status: 401, Error: "invalid key " + testKey}, nil, func(t *testing.T, err error) {
			var he *openaicompat.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, 401, he.StatusCode)
			assert.Equal(t, "openaicompat: HTTP 401: invalid key [redacted]", err.Error())
		}},
		{"error in stream", openaicompattest.Reply{Fragments: []string{"par", "tial"}, Error: "context overflow"}, []string{"par", "tial"}, func(t *testing.T, err error) {
			var he *openaicompat.HTTPError
			require.ErrorAs(t, err, &he)
			assert.Zero(t, he.StatusCode)
			assert.Contains(t, err.Error(), "context overflow")
		}},
		{"truncated", openaicompattest.Reply{Fragments: []string{"cut"}, Truncate: true}, []string{"cut"}, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		}},
		{"no [DONE] after a finish reason", openaicompattest.Reply{Fragments: []string{"ok"}, NoDone: true}, []string{"ok"}, func(t *testing.T, err error) {
			assert.NoError(t, err)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := server(t)
			srv.Enqueue(tt.reply)
			out, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL(), APIKey: testKey}), prompt)
			assert.Equal(t, tt.frags, out)
			tt.check(t, err)
			if err != nil {
				assert.NotContains(t, err.Error(), testKey)
			}
		})
	}
}

func TestUnreachableServerKeepsTheKeyOut(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there now
	_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: url, APIKey: testKey}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "openaicompat: request to")
	assert.NotContains(t, err.Error(), testKey)
}

func TestMalformedChunk(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: message\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\r\n\r\ndata: {oops\n\n")
	}))
	defer srv.Close()
	out, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	assert.Equal(t, []string{"a"}, out)
	assert.ErrorContains(t, err, "openaicompat: malformed chunk")
}

func TestMultiLineDataAndNonStreamedResponse(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/json/chat/completions") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			io.WriteString(w, `{"choices":[{"message":{"role":"assistant","content":"whole"},"finish_reason":"stop"}]}`)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"multi\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]")
	}))
	defer srv.Close()
	prompt := []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))}
	out, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"multi"}, out)
	out, err = run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: srv.URL + "/json"}), prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"whole"}, out)
}

func TestCancelMidAnswer(t *testing.T) {
	srv := server(t)
	srv.Enqueue(openaicompattest.Reply{Fragments: []string{"first"}, Hang: true})
	m := openaicompat.New(openaicompat.Config{BaseURL: srv.URL()})
	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	var got []string
	var err error
	for s, e := range m.Generate(ctx, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))}) {
		if e != nil {
			err = e
			break
		}
		text, _ := s.(fd.Symbol).TextValue()
		got = append(got, text)
		cancel() // barge-in
	}
	assert.Equal(t, []string{"first"}, got)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestStopRangingEarly(t *testing.T) {
	srv := server(t)
	srv.Enqueue(openaicompattest.Reply{Fragments: []string{"a", "b", "c"}, Hang: true})
	m := openaicompat.New(openaicompat.Config{BaseURL: srv.URL()})
	n := 0
	for _, err := range m.Generate(ctxT(t), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))}) {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestBadBaseURL(t *testing.T) {
	_, err := run(ctxT(t), openaicompat.New(openaicompat.Config{BaseURL: "http://bad host"}), []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	assert.Error(t, err)
	assert.False(t, errors.Is(err, context.Canceled))
}
