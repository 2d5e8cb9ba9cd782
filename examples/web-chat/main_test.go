package main

import (
	"context"
	"github.com/fullduplex-go/fullduplex/examples/internal/lockedbuf"
	"io"
	"net"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/web"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}

// syncBuffer is what the program prints, readable while it runs.
type syncBuffer = lockedbuf.Buffer

// web-chat -offline serves the page, and a caller speaking the page's
// protocol has a spoken turn with the local echo model; cancelling the
// context (Ctrl-C) ends the server and every conversation cleanly.
func TestOfflineServe(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, ln, options{offline: true, videoFPS: 1}, &stderr) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/")
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(page), "Voice chat")

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+web.WebSocketPath, nil)
	require.NoError(t, err)
	defer ws.Close()
	f, err := os.Open("../../testdata/hello.wav")
	require.NoError(t, err)
	w, err := pcm.ReadWAV(f)
	f.Close()
	require.NoError(t, err)
	speech := pcm.EncodeInt16(nil, pcm.AppendSilence(w.Samples, 16000))
	for i := 0; i+640 <= len(speech); i += 640 {
		require.NoError(t, ws.WriteMessage(web.EncodeClient(web.ClientAudio{Rate: 16000, PCM: speech[i : i+640]})))
	}
	var audio, heard bool
	for {
		require.NoError(t, ws.SetReadDeadline(time.Now().Add(20*time.Second)))
		mt, data, err := ws.ReadMessage()
		require.NoError(t, err)
		m, err := web.DecodeServer(mt, data, web.Limits{})
		require.NoError(t, err)
		switch v := m.(type) {
		case web.ServerTranscript:
			heard = heard || v.Role == "user"
		case web.ServerAudio:
			audio = true
		}
		if _, end := m.(web.ServerTurnEnd); end {
			break
		}
	}
	assert.True(t, heard, "the user's speech was transcribed")
	assert.True(t, audio, "the echo came back as audio")

	cancel()
	require.NoError(t, <-done)
	_, _, err = ws.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway), "the page is told the server went away: %v", err)
	assert.Contains(t, stderr.String(), "Offline mode")
	assert.Contains(t, stderr.String(), "Open http://"+ln.Addr().String())
}
