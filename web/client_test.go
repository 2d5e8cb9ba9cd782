package web_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/web"
)

// serveWith starts a Handler with cfg on loopback.
func serveWith(t *testing.T, cfg web.Config) (*web.Handler, *httptest.Server) {
	t.Helper()
	h, err := web.NewHandler(cfg)
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	return h, srv
}

func send(t *testing.T, ws *websocket.Conn, m web.ClientMessage) {
	t.Helper()
	mt, data := web.EncodeClient(m)
	require.NoError(t, ws.WriteMessage(mt, data))
}

// speech returns the test WAV's samples at 16 kHz with silence after it.
func speech(t *testing.T, name string, silence time.Duration) []byte {
	t.Helper()
	f, err := os.Open("../testdata/" + name)
	require.NoError(t, err)
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	require.NoError(t, err)
	s := pcm.AppendSilence(w.Samples, int(silence.Seconds()*16000))
	return pcm.EncodeInt16(nil, s)
}

// A Go client speaking the wire protocol has a whole spoken turn with the
// echo model: its speech goes up in 20 ms frames, the transcript, the
// answer's audio and the turn's end with its latency come back, and what
// the client says it played is what Played reports.
func TestEchoTurnOverTheWire(t *testing.T) {
	model := geminitest.NewServer(geminitest.Options{Echo: true})
	defer model.Close()
	conns := make(chan *web.Conn, 1)
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		conns <- c
		stream := gemini.NewStream(gemini.Config{BaseURL: model.URL(), APIKey: model.APIKey()})
		defer stream.Close()
		return c.Run(ctx, fullduplex.NewDuplexSession(stream))
	}})
	ws := dial(t, srv)
	defer ws.Close()
	require.IsType(t, web.ServerReady{}, read(t, ws))
	conn := <-conns
	send(t, ws, web.ClientHello{SampleRate: 16000})
	pcmIn := speech(t, "hello.wav", time.Second)
	for i := 0; i+640 <= len(pcmIn); i += 640 {
		send(t, ws, web.ClientAudio{Rate: 16000, PCM: pcmIn[i : i+640]})
	}
	var heard string
	var audio time.Duration
	turn := -1
	for {
		m := read(t, ws)
		switch v := m.(type) {
		case web.ServerTranscript:
			if v.Role == "user" {
				heard = v.Text
			}
		case web.ServerAudio:
			audio += time.Duration(len(v.PCM)/2) * time.Second / time.Duration(v.Rate)
			turn = v.Turn
		case web.ServerTurnEnd:
			assert.Equal(t, turn, v.Turn)
			assert.Positive(t, v.LatencyMS, "latency from the end of speech to the answer")
			assert.Contains(t, heard, "ms of audio]")
			assert.InDelta(t, 2.9, audio.Seconds(), 0.4, "the echo of the utterance")
			send(t, ws, web.ClientPlayed{Turn: turn, PlayedMS: 1234})
			require.Eventually(t, func() bool { return conn.Played(turn) == 1234*time.Millisecond }, 5*time.Second, time.Millisecond,
				"Played reports what the page played")
			send(t, ws, web.ClientPlayed{Turn: turn, PlayedMS: 999999})
			require.Eventually(t, func() bool { return conn.Played(turn) == audio }, 5*time.Second, time.Millisecond,
				"never more than was sent")
			assert.Equal(t, int64(len(pcmIn)/640), conn.Stats().AudioIn)

			// The page's Stop button interrupts through the session,
			// which flushes the page.
			send(t, ws, web.ClientInterrupt{})
			for {
				if _, ok := read(t, ws).(web.ServerClear); ok {
					return
				}
			}
		}
	}
}

// Nothing the page sends is lost or reordered while the server reads
// slowly: the input queue fills, the connection stops reading, and TCP
// holds the rest until there is room.
func TestBackpressureLosesNothing(t *testing.T) {
	const n = 300
	got := make(chan []int, 1)
	release := make(chan struct{})
	_, srv := serveWith(t, web.Config{InputQueue: 2, Serve: func(ctx context.Context, c *web.Conn) error {
		<-release // the page sends everything while nobody reads
		var seq []int
		for len(seq) < n {
			s, err := c.Next(ctx)
			if err != nil {
				return err
			}
			seq = append(seq, int(binary.LittleEndian.Uint16(s.Data)))
		}
		got <- seq
		return nil
	}})
	ws := dial(t, srv)
	defer ws.Close()
	for i := range n {
		frame := make([]byte, 640)
		binary.LittleEndian.PutUint16(frame, uint16(i))
		send(t, ws, web.ClientAudio{Rate: 16000, PCM: frame})
	}
	close(release)
	seq := <-got
	for i, v := range seq {
		require.Equal(t, i, v, "frame %d arrived out of order or was lost", i)
	}
}

// A bad frame gets a clear error to the page and a close with 1007, and
// the server still gets everything received before it, then an error
// that says what was wrong.
func TestBadFrameLosesNothingBeforeIt(t *testing.T) {
	done := make(chan error, 1)
	var before int
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		for {
			_, err := c.Next(ctx)
			if err != nil {
				done <- err
				return err
			}
			before++
		}
	}})
	ws := dial(t, srv)
	defer ws.Close()
	for range 3 {
		send(t, ws, web.ClientAudio{Rate: 16000, PCM: make([]byte, 640)})
	}
	require.NoError(t, ws.WriteMessage(websocket.BinaryMessage, []byte{1, 1, 0, 0, 0x80, 0x3e, 0, 0, 0, 0, 0, 0, 7})) // odd PCM
	require.IsType(t, web.ServerReady{}, read(t, ws))
	e, ok := read(t, ws).(web.ServerError)
	require.True(t, ok)
	assert.Contains(t, e.Message, "not whole 16-bit samples")
	_, _, err := ws.ReadMessage()
	assert.True(t, websocket.IsCloseError(err, websocket.CloseInvalidFramePayloadData), "%v", err)
	err = <-done
	assert.ErrorIs(t, err, web.ErrBadFrame)
	assert.ErrorIs(t, err, web.ErrClosed)
	assert.Equal(t, 3, before, "every frame before the bad one")
}

// A frame over the limit is refused before it is read whole (close 1009).
func TestOversizedFrame(t *testing.T) {
	done := make(chan error, 1)
	_, srv := serveWith(t, web.Config{Limits: web.Limits{MaxAudioBytes: 1000, MaxVideoBytes: 2000}, Serve: func(ctx context.Context, c *web.Conn) error {
		_, err := c.Next(ctx)
		done <- err
		return err
	}})
	ws := dial(t, srv)
	defer ws.Close()
	_ = ws.WriteMessage(websocket.BinaryMessage, make([]byte, 10000)) // the server may reset before the end
	err := <-done
	assert.ErrorIs(t, err, web.ErrBadFrame)
	assert.Contains(t, err.Error(), "exceeds")
}

// The page closing the connection (a closed tab) cancels Serve's context;
// Next says the page closed it.
func TestPageCloses(t *testing.T) {
	done := make(chan error, 2)
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		_, err := c.Next(ctx)
		done <- err
		<-ctx.Done()
		done <- context.Cause(ctx)
		return nil
	}})
	ws := dial(t, srv)
	require.NoError(t, ws.WriteMessage(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "")))
	err := <-done
	assert.ErrorIs(t, err, web.ErrClosed)
	assert.Contains(t, err.Error(), "by the page (1001)")
	assert.ErrorIs(t, <-done, web.ErrClosed)
	ws.Close()
}

// A peer that sends nothing and answers no ping is dropped after
// IdleTimeout.
func TestIdleTimeout(t *testing.T) {
	done := make(chan error, 1)
	_, srv := serveWith(t, web.Config{IdleTimeout: 100 * time.Millisecond, PingInterval: time.Hour, Serve: func(ctx context.Context, c *web.Conn) error {
		_, err := c.Next(ctx)
		done <- err
		return err
	}})
	ws := dial(t, srv) // never reads, so never answers a ping
	defer ws.Close()
	err := <-done
	assert.ErrorIs(t, err, web.ErrClosed)
	assert.Contains(t, err.Error(), "nothing from the page for 100ms")
}

// Handler.Close ends every conversation and waits for them; the pages
// get a close frame (1001).
func TestHandlerCloseEndsConnections(t *testing.T) {
	started := make(chan struct{})
	h, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		close(started)
		<-ctx.Done()
		assert.ErrorIs(t, context.Cause(ctx), web.ErrHandlerClosed)
		return ctx.Err()
	}})
	ws := dial(t, srv)
	defer ws.Close()
	<-started
	assert.Equal(t, 1, h.Connections())
	require.NoError(t, h.Close())
	assert.Zero(t, h.Connections())
	var err error
	for err == nil { // ready, if the writer sent it before the close
		_, _, err = ws.ReadMessage()
	}
	assert.True(t, websocket.IsCloseError(err, websocket.CloseGoingAway), "%v", err)
	_, resp, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http")+web.WebSocketPath, nil)
	require.Error(t, err)
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
}

// Pages of other sites are refused; the Authorize hook refuses without
// telling why.
func TestOriginAndAuthorize(t *testing.T) {
	_, srv := serveWith(t, web.Config{
		Authorize: func(r *http.Request) error {
			if r.URL.Query().Get("token") != "good" {
				return errors.New("bad token secret-abc")
			}
			return nil
		},
		Serve: func(ctx context.Context, c *web.Conn) error { <-ctx.Done(); return nil },
	})
	url := "ws" + strings.TrimPrefix(srv.URL, "http") + web.WebSocketPath
	for _, tc := range []struct {
		name, query, origin string
		code                int
	}{
		{"same origin", "?token=good", srv.URL, http.StatusSwitchingProtocols},
		{"no origin (not a browser)", "?token=good", "", http.StatusSwitchingProtocols},
		{"other site", "?token=good", "https://evil.example", http.StatusForbidden},
		{"bad token", "?token=bad", srv.URL, http.StatusUnauthorized},
	} {
		t.Run(tc.name, func(t *testing.T) {
			hdr := http.Header{}
			if tc.origin != "" {
				hdr.Set("Origin", tc.origin)
			}
			ws, resp, err := websocket.DefaultDialer.Dial(url+tc.query, hdr)
			if ws != nil {
				ws.Close()
			}
			require.NotNil(t, resp, "%v", err)
			assert.Equal(t, tc.code, resp.StatusCode)
			if tc.code == http.StatusUnauthorized {
				buf := make([]byte, 512)
				n, _ := resp.Body.Read(buf)
				assert.NotContains(t, string(buf[:n]), "secret-abc")
			}
		})
	}
}

// The page and its scripts are served; the endpoint wants an upgrade.
func TestServesThePage(t *testing.T) {
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error { return nil }})
	for path, want := range map[string]string{"/": "<title>", "/app.js": "AudioWorkletNode", "/capture.js": "registerProcessor"} {
		resp, err := http.Get(srv.URL + path)
		require.NoError(t, err)
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.NoError(t, err)
		assert.Equal(t, http.StatusOK, resp.StatusCode, path)
		assert.Contains(t, string(body), want, path)
	}
	resp, err := http.Get(srv.URL + web.WebSocketPath)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
}

// The server pings; a page that answers (browsers do, and so does a
// reading gorilla client) stays connected past IdleTimeout without sending
// anything else.
func TestPongsKeepThePageConnected(t *testing.T) {
	done := make(chan error, 1)
	_, srv := serveWith(t, web.Config{IdleTimeout: 200 * time.Millisecond, PingInterval: 20 * time.Millisecond, Serve: func(ctx context.Context, c *web.Conn) error {
		_, err := c.Next(ctx)
		done <- err
		return err
	}})
	ws := dial(t, srv)
	defer ws.Close()
	pings := make(chan struct{}, 100)
	ws.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() {
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	for range 30 { // 30 pings 20 ms apart: well past the 200 ms idle timeout
		<-pings
	}
	select {
	case err := <-done:
		t.Fatalf("the connection ended although the page answered every ping: %v", err)
	default:
	}
}

func modelAudio(turn int, n int) fullduplex.Symbol {
	return fullduplex.AudioSymbol(make([]byte, n), 24000).WithMeta(fullduplex.MetaTurn, turn)
}

// After Flush, the page gets clear ahead of anything queued, and no audio
// written before the Flush reaches it after the clear.
func TestFlushClearsAheadOfQueuedAudio(t *testing.T) {
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		for range 200 {
			if err := c.Write(ctx, modelAudio(0, 960)); err != nil {
				return err
			}
		}
		c.Flush()
		if err := c.Write(ctx, modelAudio(1, 960)); err != nil {
			return err
		}
		return c.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, fullduplex.TurnEnd{Turn: 1}))
	}})
	ws := dial(t, srv)
	defer ws.Close()
	cleared, before := false, 0
	for {
		switch m := read(t, ws).(type) {
		case web.ServerClear:
			cleared = true
		case web.ServerAudio:
			if cleared {
				require.Equal(t, 1, m.Turn, "audio of the flushed turn after the clear")
			} else {
				require.Equal(t, 0, m.Turn)
				before++
			}
		case web.ServerTurnEnd:
			require.True(t, cleared)
			assert.Equal(t, 1, m.Turn)
			t.Logf("%d of 200 frames were on their way before the flush", before)
			return
		}
	}
}

// Played and Playing follow the page's reports: audio written and not yet
// reported played counts as playing; a Flush stops it at once; the page's
// report after the clear sets what was heard.
func TestPlayingFollowsThePage(t *testing.T) {
	conns := make(chan *web.Conn, 1)
	wrote := make(chan struct{})
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		conns <- c
		if err := c.Write(ctx, modelAudio(3, 48000)); err != nil { // 1 s
			return err
		}
		close(wrote)
		<-ctx.Done()
		return nil
	}})
	ws := dial(t, srv)
	defer ws.Close()
	c := <-conns
	<-wrote
	assert.True(t, c.Playing(), "written, not played yet")
	send(t, ws, web.ClientPlayed{Turn: 3, PlayedMS: 1000, QueuedMS: 0})
	require.Eventually(t, func() bool { return !c.Playing() }, 5*time.Second, time.Millisecond, "all played")
	assert.Equal(t, time.Second, c.Played(3))
	assert.Zero(t, c.Played(7), "a turn never sent")
	c.Flush()
	assert.False(t, c.Playing())
}
