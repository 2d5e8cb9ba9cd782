package twilio_test

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
)

// smallBuffers is a listener whose connections have small socket send
// buffers, so a peer that stops reading stalls the server's writes soon.
type smallBuffers struct{ net.Listener }

func (l smallBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(4096)
	}
	return c, err
}

// TestStalledPeer: a Twilio that stops reading ends the call after
// WriteTimeout with ErrStalled, instead of blocking the session; Flush
// returns at once meanwhile.
func TestStalledPeer(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	h := &twilio.Handler{Config: twilio.Config{WriteTimeout: 200 * time.Millisecond, OutputQueue: 8}}
	srv := newServerOn(t, h, func(ctx context.Context, call *twilio.Call) error {
		return fullduplex.NewDuplexSession(fs).RunDuplex(ctx, call, call)
	}, func(l net.Listener) net.Listener { return smallBuffers{l} })

	// A peer that sends connected and start, then never reads.
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if tc, ok := c.(*net.TCPConn); ok {
			_ = tc.SetReadBuffer(4096)
		}
		return c, err
	}}
	conn, _, err := dialer.DialContext(ctx, "ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(`{"event":"connected","protocol":"Call","version":"1.0.0"}`)))
	require.NoError(t, conn.WriteMessage(websocket.TextMessage, []byte(`{"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CA1","mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}`)))
	sv := srv.next(ctx, t)

	// 60 s of the model's speech: far more than the socket buffers hold.
	chunk := tone(440, 24000, 100*time.Millisecond)
	for range 600 {
		fs.Emit(modelAudio(chunk, 24000, 1))
	}
	<-sv.call.Done()
	sv.call.Flush() // never waits on the stuck socket
	require.ErrorIs(t, sv.call.Err(), twilio.ErrStalled)
	assert.Error(t, sv.result(ctx, t), "the session ends")
	srv.log.waitFor(ctx, t, "peer stopped reading")
}
