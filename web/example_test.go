package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"

	"github.com/gorilla/websocket"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/web"
)

// A Handler serves the page and one Conn per connection. Here a Go client
// speaks the wire protocol in place of the page: it sends one 20 ms frame
// of microphone audio, and the server answers with a line of transcript.
// Real servers run a session: c.Run(ctx, fullduplex.NewDuplexSession(stream)).
func Example() {
	h, err := web.NewHandler(web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		s, err := c.Next(ctx)
		if err != nil {
			return err
		}
		return c.Write(ctx, fullduplex.TextSymbol(fmt.Sprintf("heard %v of audio", s.Duration())))
	}})
	if err != nil {
		panic(err)
	}
	defer h.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	ws, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+web.WebSocketPath, nil)
	if err != nil {
		panic(err)
	}
	defer ws.Close()
	_ = ws.WriteMessage(web.EncodeClient(web.ClientAudio{Rate: 16000, PCM: make([]byte, 640)}))
	for {
		mt, data, err := ws.ReadMessage()
		if err != nil {
			fmt.Println("closed:", err)
			return
		}
		m, err := web.DecodeServer(mt, data, web.Limits{})
		fmt.Printf("%+v %v\n", m, err)
	}
	// Output:
	// {Type:ready InputRate:16000 FrameMS:20 VideoFPS:1 MaxVideo:1048576} <nil>
	// {Type:transcript Role:model Text:heard 20ms of audio Final:false Turn:0} <nil>
	// closed: websocket: close 1000 (normal): conversation ended
}
