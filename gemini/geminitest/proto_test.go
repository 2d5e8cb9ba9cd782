package geminitest_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

const livePath = "/ws/google.ai.generativelanguage.v1beta.GenerativeService.BidiGenerateContent"

// rawDial opens a websocket on path with the server's key and sends setup.
func rawDial(t *testing.T, srv *geminitest.Server, path, setup string) *websocket.Conn {
	t.Helper()
	ws, resp, err := websocket.DefaultDialer.Dial(srv.URL()+path, http.Header{"x-goog-api-key": {srv.APIKey()}})
	require.NoError(t, err)
	resp.Body.Close()
	t.Cleanup(func() { ws.Close() })
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(setup)))
	_, data, err := ws.ReadMessage()
	require.NoError(t, err)
	require.Contains(t, string(data), "setupComplete")
	return ws
}

// readTurn reads server frames up to turnComplete and returns the model
// text and the input transcription.
func readTurn(t *testing.T, ws *websocket.Conn) (text, heard string) {
	t.Helper()
	for {
		_, data, err := ws.ReadMessage()
		require.NoError(t, err)
		var m genai.LiveServerMessage
		require.NoError(t, json.Unmarshal(data, &m))
		sc := m.ServerContent
		if sc == nil {
			continue
		}
		if sc.ModelTurn != nil {
			for _, p := range sc.ModelTurn.Parts {
				text += p.Text
			}
		}
		if sc.InputTranscription != nil {
			heard = sc.InputTranscription.Text
		}
		if sc.TurnComplete {
			require.NotNil(t, m.UsageMetadata, "usage comes with turnComplete, as from the service")
			return text, heard
		}
	}
}

// The server parses proto JSON as the service does: snake_case field names
// (the Python SDK's) work like camelCase, and free-form values keep their
// keys.
func TestSnakeCaseMessages(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	ws := rawDial(t, srv, livePath, `{"setup":{"model":"models/m","generation_config":{"response_modalities":["TEXT"],`+
		`"speech_config":{"voice_config":{"prebuilt_voice_config":{"voice_name":"Kore"}}}},`+
		`"realtime_input_config":{"automatic_activity_detection":{"disabled":true}}}}`)
	c, err := srv.WaitConn(ctxT(t), 0)
	require.NoError(t, err)
	setup := c.Setup()
	assert.Equal(t, []genai.Modality{genai.ModalityText}, setup.GenerationConfig.ResponseModalities)
	assert.Equal(t, "Kore", setup.GenerationConfig.SpeechConfig.VoiceConfig.PrebuiltVoiceConfig.VoiceName)
	assert.True(t, setup.RealtimeInputConfig.AutomaticActivityDetection.Disabled)

	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"client_content":{"turns":[{"role":"user","parts":[{"text":"hi"}]}],"turn_complete":true}}`)))
	text, _ := readTurn(t, ws)
	assert.Equal(t, "echo: hi", text)

	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"tool_response":{"function_responses":[{"id":"c1","name":"f","response":{"my_key":1},"scheduling":"SILENT"}]}}`)))
	m, err := c.WaitFor(ctxT(t), geminitest.IsToolResponse)
	require.NoError(t, err)
	fr := m.ToolResponse.FunctionResponses[0]
	assert.Equal(t, "c1", fr.ID)
	assert.Equal(t, map[string]any{"my_key": float64(1)}, fr.Response, "a Struct's keys are data")
	assert.Equal(t, genai.FunctionResponseSchedulingSilent, fr.Scheduling)
}

// Audio in URL-safe base64 (unpadded too) is accepted like standard base64,
// and the older realtimeInput.mediaChunks carry audio like realtimeInput.audio.
func TestURLSafeBase64AndMediaChunks(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	ws := rawDial(t, srv, livePath, `{"setup":{"model":"models/m","generationConfig":{"responseModalities":["TEXT"]},`+
		`"realtimeInputConfig":{"automaticActivityDetection":{"disabled":true}}}}`)
	c, err := srv.WaitConn(ctxT(t), 0)
	require.NoError(t, err)
	pcm := make([]byte, 3200) // 100 ms at 16 kHz
	for i := range pcm {
		pcm[i] = byte(0xfb + i%5) // bytes whose base64 has '-' and '_' in the URL alphabet
	}
	urlSafe := base64.RawURLEncoding.EncodeToString(pcm)
	require.True(t, strings.ContainsAny(urlSafe, "-_"))
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"realtime_input":{"audio":{"data":"`+urlSafe+`","mime_type":"audio/pcm;rate=16000"}}}`)))
	m, err := c.WaitFor(ctxT(t), geminitest.IsAudio)
	require.NoError(t, err)
	got, mime, _ := m.Audio()
	assert.Equal(t, pcm, got)
	assert.Equal(t, "audio/pcm;rate=16000", mime)

	std := base64.StdEncoding.EncodeToString(pcm)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"realtimeInput":{"mediaChunks":[{"data":"`+std+`","mimeType":"audio/pcm;rate=16000"}]}}`)))
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"realtimeInput":{"activityEnd":{}}}`)))
	text, heard := readTurn(t, ws)
	assert.Equal(t, "[200 ms of audio]", heard, "both chunks are one spoken turn")
	assert.Equal(t, "echo: [200 ms of audio]", text)
}

// realtimeInput.text is a user turn the echo model answers.
func TestRealtimeInputText(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	ws := rawDial(t, srv, livePath, `{"setup":{"model":"models/m","generationConfig":{"responseModalities":["TEXT"]}}}`)
	require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"realtimeInput":{"text":"typed"}}`)))
	text, _ := readTurn(t, ws)
	assert.Equal(t, "echo: typed", text)
}

// The JS SDK asks for the path with a doubled slash; the service (and the
// server) accept it.
func TestDoubledSlashPath(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{Echo: true})
	rawDial(t, srv, "/"+livePath, `{"setup":{"model":"models/m"}}`)
	_, err := srv.WaitConn(ctxT(t), 0)
	require.NoError(t, err)
}

// The Vertex AI path takes a bearer token; an API key does not open it.
func TestVertexPathNeedsBearerToken(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{})
	const vertexPath = "/ws/google.cloud.aiplatform.v1beta1.LlmBidiService/BidiGenerateContent"
	for _, tc := range []struct {
		name   string
		header http.Header
		ok     bool
	}{
		{"bearer token", http.Header{"Authorization": {"Bearer " + srv.AccessToken()}}, true},
		{"API key", http.Header{"x-goog-api-key": {srv.APIKey()}}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ws, resp, err := websocket.DefaultDialer.Dial(srv.URL()+vertexPath, tc.header)
			require.NoError(t, err)
			resp.Body.Close()
			defer ws.Close()
			require.NoError(t, ws.WriteMessage(websocket.TextMessage, []byte(`{"setup":{"model":"projects/p/locations/l/publishers/google/models/m"}}`)))
			_, data, err := ws.ReadMessage()
			if tc.ok {
				require.NoError(t, err)
				assert.Contains(t, string(data), "setupComplete")
				return
			}
			var ce *websocket.CloseError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, websocket.ClosePolicyViolation, ce.Code)
			assert.NotContains(t, ce.Text, srv.APIKey())
		})
	}
}
