package geminitest_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"google.golang.org/genai"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// connect dials srv with the real SDK.
func connect(t *testing.T, srv *geminitest.Server, key string, cfg *genai.LiveConnectConfig) (*genai.Session, error) {
	t.Helper()
	client, err := genai.NewClient(ctxT(t), &genai.ClientConfig{
		APIKey: key, Backend: genai.BackendGeminiAPI,
		HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL()},
	})
	require.NoError(t, err)
	return client.Live.Connect(ctxT(t), "m", cfg)
}

func TestSetupAndBinaryFrames(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{})
	sess, err := connect(t, srv, srv.APIKey(), &genai.LiveConnectConfig{SystemInstruction: genai.NewContentFromText("hi", genai.RoleUser)})
	require.NoError(t, err)
	defer sess.Close()
	assert.Equal(t, "geminitest-0", sess.SetupComplete.SessionID)
	c, err := srv.WaitConn(ctxT(t), 0)
	require.NoError(t, err)
	assert.Equal(t, "models/m", c.Setup().Model)
	assert.Equal(t, "hi", c.Setup().SystemInstruction.Parts[0].Text)

	require.NoError(t, sess.SendRealtimeInput(genai.LiveRealtimeInput{Audio: &genai.Blob{Data: []byte{1, 2}, MIMEType: "audio/pcm;rate=16000"}}))
	m, err := c.WaitFor(ctxT(t), geminitest.IsAudio)
	require.NoError(t, err)
	pcm, mime, ok := m.Audio()
	require.True(t, ok)
	assert.Equal(t, []byte{1, 2}, pcm)
	assert.Equal(t, "audio/pcm;rate=16000", mime)
	assert.Contains(t, string(m.Raw), `"realtimeInput"`)

	require.NoError(t, c.SendText("x"))
	_, err = sess.Receive() // the SDK's buffered setupComplete
	require.NoError(t, err)
	msg, err := sess.Receive()
	require.NoError(t, err)
	assert.Equal(t, "x", msg.ServerContent.ModelTurn.Parts[0].Text)
}

func TestFramesAreBinaryOnTheWire(t *testing.T) {
	for _, text := range []bool{false, true} {
		srv := geminitest.New(t, geminitest.Options{TextFrames: text})
		h := http.Header{"x-goog-api-key": {srv.APIKey()}}
		ws, _, err := websocket.DefaultDialer.Dial(srv.URL()+"/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent", h)
		require.NoError(t, err)
		require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"setup":{"model":"models/m"}}`)))
		mt, data, err := ws.ReadMessage()
		require.NoError(t, err)
		want := websocket.BinaryMessage
		if text {
			want = websocket.TextMessage
		}
		assert.Equal(t, want, mt)
		assert.JSONEq(t, `{"setupComplete":{"sessionId":"geminitest-0"}}`, string(data))
		require.NoError(t, ws.Close())
	}
}

func TestRejectsWrongPathAndKey(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: "right"})
	_, resp, err := websocket.DefaultDialer.Dial(srv.URL()+"/ws/other", nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp.Body.Close()

	_, err = connect(t, srv, "wrong", nil)
	require.Error(t, err)
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, websocket.ClosePolicyViolation, ce.Code)
	assert.False(t, strings.Contains(err.Error(), "right"))
}

func TestEchoModelWithRawSDK(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	sess, err := connect(t, srv, srv.APIKey(), &genai.LiveConnectConfig{ResponseModalities: []genai.Modality{genai.ModalityText}})
	require.NoError(t, err)
	defer sess.Close()
	require.NoError(t, sess.SendClientContent(genai.LiveClientContentInput{Turns: genai.Text("ping")}))
	var got []string
	for {
		msg, err := sess.Receive()
		require.NoError(t, err)
		if sc := msg.ServerContent; sc != nil {
			if sc.ModelTurn != nil {
				got = append(got, sc.ModelTurn.Parts[0].Text)
			}
			if sc.TurnComplete {
				break
			}
		}
	}
	assert.Equal(t, []string{"echo: ping"}, got)
}

func TestCloseWaitsAndUnblocksWaiters(t *testing.T) {
	srv := geminitest.NewServer(geminitest.Options{})
	done := make(chan error, 1)
	go func() {
		_, err := srv.WaitConn(context.Background(), 0)
		done <- err
	}()
	srv.Close()
	assert.Error(t, <-done)
	srv.Close() // idempotent
}

func TestResample(t *testing.T) {
	tone := geminitest.Tone(440, 16000, 100)
	assert.Len(t, tone, 3200)
}

func TestCloseSetups(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{})
	srv.CloseSetups(1, 1011, "no backend")
	_, err := connect(t, srv, geminitest.DefaultAPIKey, nil)
	var ce *websocket.CloseError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1011, ce.Code)
	assert.Equal(t, "no backend", ce.Text)
	sess, err := connect(t, srv, geminitest.DefaultAPIKey, nil)
	require.NoError(t, err, "only the next n setups are closed")
	sess.Close()
}
