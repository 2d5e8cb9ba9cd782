package livekit

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/redact"
	"github.com/gorilla/websocket"
	"github.com/livekit/protocol/livekit"
	"google.golang.org/protobuf/proto"
)

// workerProtocol is the agent worker protocol version this package speaks
// (livekit-server's agent.CurrentProtocol).
const workerProtocol = 1

// registerTimeout bounds the registration handshake.
const registerTimeout = 10 * time.Second

// A workerConn is the worker's websocket to the server's /agent endpoint:
// protobuf WorkerMessage frames out, ServerMessage frames in.
//
// send is safe from any goroutine; read is for one goroutine; close is
// safe from any goroutine and unblocks read.
type workerConn struct {
	ws *websocket.Conn
	mu sync.Mutex // serialises writes
}

// agentURL turns a server URL into its /agent websocket URL.
func agentURL(server string) (string, error) {
	u, err := url.Parse(server)
	if err != nil {
		return "", fmt.Errorf("livekit: server URL: %w", err)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return "", fmt.Errorf("livekit: server URL %q: want ws, wss, http or https", server)
	}
	u.Path = strings.TrimSuffix(u.Path, "/") + "/agent"
	u.RawQuery = url.Values{"protocol": {fmt.Sprint(workerProtocol)}}.Encode()
	return u.String(), nil
}

// dialWorker connects and registers; it returns the connection and the
// server's registration answer.
func dialWorker(ctx context.Context, cfg WorkerConfig) (*workerConn, *livekit.RegisterWorkerResponse, error) {
	u, err := agentURL(cfg.URL)
	if err != nil {
		return nil, nil, err
	}
	tok, err := workerToken(cfg.APIKey, cfg.APISecret)
	if err != nil {
		return nil, nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, registerTimeout)
	defer cancel()
	h := http.Header{"Authorization": {"Bearer " + tok}}
	ws, resp, err := websocket.DefaultDialer.DialContext(ctx, u, h)
	if err != nil {
		if resp != nil {
			err = fmt.Errorf("%w (HTTP %s)", err, resp.Status)
		}
		return nil, nil, fmt.Errorf("livekit: worker: connect %s: %w", u, redact.Error(err, tok, cfg.APISecret))
	}
	c := &workerConn{ws: ws}
	ns := ""
	err = c.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_Register{Register: &livekit.RegisterWorkerRequest{
		Type:      livekit.JobType_JT_ROOM,
		AgentName: cfg.AgentName,
		Version:   cfg.Version,
		Namespace: &ns,
	}}})
	if err != nil {
		c.close()
		return nil, nil, err
	}
	// The handshake is bounded: ctx's deadline is the read deadline.
	dl, _ := ctx.Deadline()
	_ = ws.SetReadDeadline(dl)
	stop := context.AfterFunc(ctx, func() { _ = ws.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		m, err := c.read()
		if err != nil {
			c.close()
			return nil, nil, fmt.Errorf("livekit: worker: register: %w", err)
		}
		if r := m.GetRegister(); r != nil {
			_ = ws.SetReadDeadline(time.Time{})
			return c, r, nil
		}
	}
}

func (c *workerConn) send(m *livekit.WorkerMessage) error {
	b, err := proto.Marshal(m)
	if err != nil {
		return fmt.Errorf("livekit: worker: encode: %w", err)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(10 * time.Second))
	if err := c.ws.WriteMessage(websocket.BinaryMessage, b); err != nil {
		return fmt.Errorf("livekit: worker: send: %w", err)
	}
	return nil
}

// read returns the next server message. The server answers in the
// encoding the worker writes (binary protobuf); other frames are skipped.
func (c *workerConn) read() (*livekit.ServerMessage, error) {
	for {
		t, b, err := c.ws.ReadMessage()
		if err != nil {
			return nil, err
		}
		if t != websocket.BinaryMessage {
			continue
		}
		m := &livekit.ServerMessage{}
		if err := proto.Unmarshal(b, m); err != nil {
			return nil, fmt.Errorf("livekit: worker: malformed server message (%d bytes): %w", len(b), err)
		}
		return m, nil
	}
}

func (c *workerConn) close() { _ = c.ws.Close() }
