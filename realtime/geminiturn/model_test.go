package geminiturn_test

import (
	"context"
	"encoding/binary"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

func setup(t *testing.T, cfg geminiturn.Config) (*geminiturntest.Server, *geminiturn.Model) {
	t.Helper()
	srv := geminiturntest.NewServer()
	t.Cleanup(srv.Close)
	cfg.BaseURL, cfg.APIKey = srv.URL(), testKey
	m, err := geminiturn.New(cfg)
	require.NoError(t, err)
	return srv, m
}

func turn(role string, syms ...fd.Symbol) realtime.Turn {
	return realtime.Turn{Role: role, Symbols: syms}
}

// run collects an answer's symbols and its error, leaving out its usage.
func run(ctx context.Context, m *geminiturn.Model, prompt []realtime.Turn) ([]fd.Symbol, error) {
	out, _, err := runUsage(ctx, m, prompt)
	return out, err
}

// runUsage collects an answer's symbols, its usage events and its error.
func runUsage(ctx context.Context, m *geminiturn.Model, prompt []realtime.Turn) ([]fd.Symbol, []fd.Usage, error) {
	var out []fd.Symbol
	var usages []fd.Usage
	for it, err := range m.Generate(ctx, prompt) {
		if err != nil {
			return out, usages, err
		}
		switch it := it.(type) {
		case fd.Symbol:
			out = append(out, it)
		case fd.StreamEvent:
			usages = append(usages, it.Data.(fd.Usage))
		}
	}
	return out, usages, nil
}

func texts(syms []fd.Symbol) []string {
	var out []string
	for _, s := range syms {
		t, _ := s.TextValue()
		out = append(out, t)
	}
	return out
}

func TestPromptAndAnswer(t *testing.T) {
	temp := float32(0.2)
	srv, m := setup(t, geminiturn.Config{
		Model: "gemini-test", SystemInstruction: "Be brief.",
		GenerateConfig: &genai.GenerateContentConfig{Temperature: &temp},
	})
	speech := fd.AudioSymbol(make([]byte, 320), 16000)
	img := fd.ImageSymbol([]byte{0xff, 0xd8}, "image/jpeg")
	prompt := []realtime.Turn{
		turn(fd.RoleUser, fd.TextSymbol("Hi"), speech),
		turn(fd.RoleModel, fd.TextSymbol("Hello!"), fd.AudioSymbol(make([]byte, 480), 24000)),
		turn(fd.RoleUser, img, fd.TextSymbol("What is this?")),
	}
	out, err := run(ctxT(t), m, prompt)
	require.NoError(t, err)
	assert.Equal(t, []string{"You ", "said: ", "What ", "is ", "this?"}, texts(out))

	reqs := srv.Requests()
	require.Len(t, reqs, 1)
	r := reqs[0]
	assert.Equal(t, "/v1beta/models/gemini-test:streamGenerateContent", r.Path)
	assert.Equal(t, testKey, r.APIKey)
	require.NotNil(t, r.SystemInstruction)
	assert.Equal(t, "Be brief.", r.SystemInstruction.Text())
	assert.InDelta(t, 0.2, r.Body["generationConfig"].(map[string]any)["temperature"], 1e-6)
	require.Len(t, r.Contents, 3)
	assert.Equal(t, "user", r.Contents[0].Role)
	assert.Equal(t, "Hi", r.Contents[0].Parts[0].Text)
	wav := r.Contents[0].Parts[1].InlineData
	require.NotNil(t, wav)
	assert.Equal(t, "audio/wav", wav.MIMEType)
	assert.Equal(t, "RIFF", string(wav.Data[:4]))
	assert.Equal(t, uint32(16000), binary.LittleEndian.Uint32(wav.Data[24:28]))
	assert.Equal(t, "model", r.Contents[1].Role)
	assert.Len(t, r.Contents[1].Parts, 1, "the model's own audio is not sent back")
	assert.Equal(t, "image/jpeg", r.Contents[2].Parts[0].InlineData.MIMEType)
	assert.Equal(t, "What is this?", r.Contents[2].Parts[1].Text)
}

func TestAudioAndImageOutput(t *testing.T) {
	srv, m := setup(t, geminiturn.Config{})
	srv.Enqueue(geminiturntest.Reply{Parts: []geminiturntest.Part{
		{InlineData: &geminiturntest.InlineData{MIMEType: "audio/L16;codec=pcm;rate=24000", Data: make([]byte, 480)}},
		{InlineData: &geminiturntest.InlineData{MIMEType: "audio/pcm", Data: make([]byte, 320)}},
		{InlineData: &geminiturntest.InlineData{MIMEType: "image/png", Data: []byte{0x89, 'P'}}},
	}})
	out, err := run(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("sing"))})
	require.NoError(t, err)
	require.Len(t, out, 3)
	assert.Equal(t, fd.ModalityAudio, out[0].Modality)
	assert.Equal(t, 24000, out[0].SampleRate())
	assert.Equal(t, 24000, out[1].SampleRate(), "a rate-less MIME type gets OutputSampleRate")
	assert.Equal(t, fd.ModalityImage, out[2].Modality)
	assert.Equal(t, "image/png", out[2].MIMEType)
	assert.Equal(t, "/v1beta/models/"+geminiturn.DefaultModel+":streamGenerateContent", srv.Requests()[0].Path)
}

func TestErrorsKeepTheKeyOut(t *testing.T) {
	srv, m := setup(t, geminiturn.Config{})
	srv.Enqueue(geminiturntest.Reply{Status: 400, Error: "API key not valid: " + testKey})
	_, err := run(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "geminiturn:")
	assert.Contains(t, err.Error(), "[redacted]")
	assert.NotContains(t, err.Error(), testKey)

	srv.Enqueue(geminiturntest.Reply{Status: 503, Error: "overloaded"})
	_, err = run(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.TextSymbol("q"))})
	var apiErr genai.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 503, apiErr.Code)
}

func TestNoInputAndNoKey(t *testing.T) {
	_, m := setup(t, geminiturn.Config{})
	_, err := run(ctxT(t), m, []realtime.Turn{turn(fd.RoleUser, fd.Symbol{Modality: fd.ModalityAudio, Data: []byte{1}})})
	assert.ErrorIs(t, err, geminiturn.ErrNoInput)

	t.Setenv("GOOGLE_API_KEY", "")
	t.Setenv("GEMINI_API_KEY", "")
	_, err = geminiturn.New(geminiturn.Config{})
	assert.ErrorIs(t, err, geminiturn.ErrNoAPIKey)
	t.Setenv("GEMINI_API_KEY", testKey)
	_, err = geminiturn.New(geminiturn.Config{})
	assert.NoError(t, err)

	sys := "x"
	_, err = geminiturn.New(geminiturn.Config{APIKey: testKey, SystemInstruction: sys,
		GenerateConfig: &genai.GenerateContentConfig{SystemInstruction: genai.NewContentFromText(sys, genai.RoleUser)}})
	assert.ErrorContains(t, err, "both")
}

func TestCancelMidAnswer(t *testing.T) {
	srv, m := setup(t, geminiturn.Config{})
	srv.Enqueue(geminiturntest.Reply{Parts: []geminiturntest.Part{{Text: "first"}}, Hang: true})
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
		cancel()
	}
	assert.Equal(t, []string{"first"}, got)
	assert.ErrorIs(t, err, context.Canceled)
}

// The realtime stream over Gemini: barge-in keeps only the received part.
func TestRealtimeStreamOverGemini(t *testing.T) {
	srv, m := setup(t, geminiturn.Config{})
	srv.Enqueue(geminiturntest.Reply{Parts: []geminiturntest.Part{{Text: "Once "}, {Text: "upon"}}, Hang: true})
	st := realtime.NewStream(m, realtime.Config{})
	defer st.Close()
	ctx := ctxT(t)
	require.NoError(t, st.Connect(ctx))
	recv := func() fd.StreamItem {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		return it
	}
	assert.Equal(t, fd.EventConnected, recv().(fd.StreamEvent).Type)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("story")))
	assert.Equal(t, "Once ", string(recv().(fd.Symbol).Data))
	require.NoError(t, st.InterruptOutput(ctx))
	assert.Equal(t, fd.EventInterrupt, recv().(fd.StreamEvent).Type)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("joke")))
	var answer string
	for {
		it := recv()
		if ev, ok := it.(fd.StreamEvent); ok {
			if ev.Type == fd.EventUsage {
				continue
			}
			require.Equal(t, fd.EventStreamEnd, ev.Type, "%v", ev.Data)
			break
		}
		answer += string(it.(fd.Symbol).Data)
	}
	assert.Equal(t, "You said: joke", answer)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	var lines []string
	for _, c := range reqs[1].Contents {
		lines = append(lines, c.Role+": "+c.Text())
	}
	assert.Equal(t, []string{"user: story", "model: Once ", "user: joke"}, lines)
}
