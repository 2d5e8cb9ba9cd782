package gemini_test

import (
	"context"
	"errors"
	"testing"

	"cloud.google.com/go/auth"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// staticToken is a TokenProvider that always gives the same token.
type staticToken string

func (s staticToken) Token(context.Context) (*auth.Token, error) {
	return &auth.Token{Value: string(s), Type: "Bearer"}, nil
}

func vertexConfig(srv *geminitest.Server, token string) gemini.Config {
	return gemini.Config{
		VertexAI: true, Project: "my-project", Location: "us-central1",
		Credentials: auth.NewCredentials(&auth.CredentialsOptions{TokenProvider: staticToken(token)}),
		BaseURL:     srv.URL(), Model: "gemini-live-test",
	}
}

// A Vertex AI stream dials the Vertex Live path with a bearer token, names
// the model in the project and location, and labels Vertex's rate-less
// audio with Config.OutputSampleRate.
func TestVertexAI(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	srv := geminitest.New(t, geminitest.Options{Echo: true, AccessToken: "ya29.secret-token"})
	st := gemini.NewStream(vertexConfig(srv, "ya29.secret-token"))
	defer st.Close()
	ctx := waitCtx(t)
	require.NoError(t, st.Connect(ctx))
	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	assert.True(t, c.Vertex())
	assert.Equal(t, "projects/my-project/locations/us-central1/publishers/google/models/gemini-live-test", c.Setup().Model)

	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("hi")))
	var audio []fullduplex.Symbol
	var said string
	for {
		it := next(t, st)
		if ev, ok := it.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventStreamEnd {
			break
		}
		if s, ok := it.(fullduplex.Symbol); ok {
			if s.Modality == fullduplex.ModalityAudio {
				audio = append(audio, s)
			} else {
				said, _ = s.TextValue()
			}
		}
	}
	assert.Equal(t, "echo: hi", said)
	require.NotEmpty(t, audio)
	assert.Equal(t, 24000, audio[0].SampleRate(), "the service's audio/pcm is 24 kHz")
	assert.Equal(t, "audio/pcm;rate=24000", audio[0].MIMEType)
}

// A refused token ends Connect with the service's close code, and the token
// appears in no error.
func TestVertexAIBadToken(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{AccessToken: "the-right-token"})
	st := gemini.NewStream(vertexConfig(srv, "ya29.wrong-secret"))
	defer st.Close()
	err := st.Connect(waitCtx(t))
	var ce *gemini.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1008, ce.Code)
	for e := err; e != nil; e = errors.Unwrap(e) {
		assert.NotContains(t, e.Error(), "wrong-secret")
	}
}

func TestVertexAIConfig(t *testing.T) {
	t.Setenv("GOOGLE_CLOUD_PROJECT", "")
	for _, tc := range []struct {
		name string
		cfg  gemini.Config
		want string
	}{
		{"no project", gemini.Config{VertexAI: true}, "needs a project"},
		{"API key", gemini.Config{VertexAI: true, Project: "p", APIKey: "k"}, "not an API key"},
		{"project without Vertex", gemini.Config{APIKey: "k", Project: "p"}, "are for VertexAI"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := gemini.NewStream(tc.cfg)
			defer st.Close()
			err := st.Connect(waitCtx(t))
			assert.ErrorIs(t, err, gemini.ErrInvalidConfig)
			assert.ErrorContains(t, err, tc.want)
		})
	}
	// Vertex-only settings the Gemini API refuses are fine on Vertex AI.
	srv := geminitest.New(t, geminitest.Options{})
	cfg := vertexConfig(srv, geminitest.DefaultAccessToken)
	cfg.Tools = []*genai.Tool{{Retrieval: &genai.Retrieval{}}}
	st := gemini.NewStream(cfg)
	defer st.Close()
	require.NoError(t, st.Connect(waitCtx(t)))
	c, err := srv.WaitConn(waitCtx(t), 0)
	require.NoError(t, err)
	assert.NotNil(t, c.Setup().Tools[0].Retrieval)
}
