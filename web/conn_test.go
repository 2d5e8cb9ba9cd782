package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex/web"
)

// dial connects a Go client speaking the wire protocol to srv.
func dial(t *testing.T, srv *httptest.Server) *websocket.Conn {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+web.WebSocketPath, nil)
	require.NoError(t, err)
	return ws
}

func read(t *testing.T, ws *websocket.Conn) web.ServerMessage {
	t.Helper()
	require.NoError(t, ws.SetReadDeadline(time.Now().Add(10*time.Second)))
	mt, data, err := ws.ReadMessage()
	require.NoError(t, err)
	m, err := web.DecodeServer(mt, data, web.Limits{})
	require.NoError(t, err, "%s", data)
	return m
}

func TestReadyFirst(t *testing.T) {
	h, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error { <-ctx.Done(); return nil }})
	require.NoError(t, err)
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	ws := dial(t, srv)
	defer ws.Close()
	m := read(t, ws)
	require.Equal(t, web.ServerReady{Type: "ready", InputRate: 16000, FrameMS: 20, VideoFPS: 1, MaxVideo: web.DefaultMaxVideoBytes}, m)
}
