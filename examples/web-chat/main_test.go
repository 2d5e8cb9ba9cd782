package main

import (
	"context"
	"crypto/tls"
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

	"github.com/fullduplex-go/fullduplex/examples/internal/lockedbuf"
	"github.com/fullduplex-go/fullduplex/examples/internal/serve"
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, stderr, done := start(t, ctx, options{offline: true, videoFPS: 1})
	getPage(t, http.DefaultClient, "http://"+ln.Addr().String()+"/")

	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+web.WebSocketPath, nil)
	require.NoError(t, err)
	defer ws.Close()
	converse(t, ws)

	cancel()
	require.NoError(t, <-done)
	_, _, err = ws.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway), "the page is told the server went away: %v", err)
	assert.Contains(t, stderr.String(), "Offline mode")
	assert.Contains(t, stderr.String(), "Open http://"+ln.Addr().String())
}

// converse has one spoken turn with the echo model over ws: the user's
// speech is transcribed and comes back as audio.
func converse(t *testing.T, ws *websocket.Conn) {
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
}

// With -tls-cert and -tls-key web-chat serves the page over HTTPS and the
// conversation over wss, with that certificate, as browsers on other
// machines need for the microphone.
func TestTLS(t *testing.T) {
	certFile, keyFile, roots, err := serve.SelfSigned(t.TempDir(), "127.0.0.1")
	require.NoError(t, err)
	tlsConfig := &tls.Config{RootCAs: roots}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ln, stderr, done := start(t, ctx, options{Flags: serve.Flags{TLSCert: certFile, TLSKey: keyFile}, offline: true, videoFPS: 1})

	client := &http.Client{Transport: &http.Transport{TLSClientConfig: tlsConfig}}
	defer client.CloseIdleConnections()
	getPage(t, client, "https://"+ln.Addr().String()+"/")

	dialer := websocket.Dialer{TLSClientConfig: tlsConfig}
	ws, _, err := dialer.Dial("wss://"+ln.Addr().String()+web.WebSocketPath, nil)
	require.NoError(t, err)
	defer ws.Close()
	converse(t, ws)

	_, _, err = websocket.DefaultDialer.Dial("ws://"+ln.Addr().String()+web.WebSocketPath, nil)
	assert.Error(t, err, "plain ws to the TLS server")

	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, stderr.String(), "Open https://"+ln.Addr().String()+"/")
}

// start runs web-chat with o on a free port until ctx is done; done gets
// what run returned.
func start(t *testing.T, ctx context.Context, o options) (ln net.Listener, stderr *syncBuffer, done <-chan error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	stderr = new(syncBuffer)
	d := make(chan error, 1)
	go func() { d <- run(ctx, ln, o, stderr) }()
	return ln, stderr, d
}

// getPage checks that url serves the page.
func getPage(t *testing.T, client *http.Client, url string) {
	resp, err := client.Get(url)
	require.NoError(t, err)
	page, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.NoError(t, err)
	assert.Contains(t, string(page), "Voice chat")
}
