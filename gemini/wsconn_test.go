package gemini

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

// The one reach into the SDK: its Session keeps the *websocket.Conn in a
// field named conn. If an SDK upgrade moves it, this fails (and the stream
// would run without a read limit).
func TestSDKSessionLayout(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: "k"})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	client, err := genai.NewClient(ctx, &genai.ClientConfig{APIKey: "k", Backend: genai.BackendGeminiAPI, HTTPOptions: genai.HTTPOptions{BaseURL: srv.URL()}})
	require.NoError(t, err)
	sess, err := client.Live.Connect(ctx, "m", &genai.LiveConnectConfig{})
	require.NoError(t, err)
	defer sess.Close()
	require.NotNil(t, wsConn(sess))
	require.Nil(t, wsConn(nil))
}
