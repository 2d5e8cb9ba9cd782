package livekit

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// serverVersion is the livekit-server .ci/start-livekit.sh builds.
const serverVersion = "v1.9.11"

// serverBinary returns the livekit-server binary .ci/start-livekit.sh
// built ($LIVEKIT_SERVER_BIN, else its cache), failing in CI and skipping
// elsewhere when there is none.
func serverBinary(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("LIVEKIT_SERVER_BIN")
	if bin == "" {
		cache := os.Getenv("FULLDUPLEX_CACHE")
		if cache == "" {
			home, _ := os.UserHomeDir()
			cache = filepath.Join(home, ".cache", "fullduplex")
		}
		bin = filepath.Join(cache, "livekit-server-"+serverVersion)
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no livekit-server binary at %s (.ci/start-livekit.sh builds it): %v", bin, err)
		}
		t.Skipf("no livekit-server binary at %s: run .ci/start-livekit.sh: %v", bin, err)
	}
	return bin
}

// An ownServer is a livekit-server --dev this test starts, stops and
// restarts itself (on its own ports, loopback only, as .ci/start-livekit.sh
// runs the shared one).
type ownServer struct {
	t    testing.TB
	bin  string
	port int
	log  string
	cmd  *exec.Cmd
	done chan struct{}
}

func startOwnServer(t testing.TB, port int) *ownServer {
	t.Helper()
	s := &ownServer{t: t, bin: serverBinary(t), port: port, log: filepath.Join(t.TempDir(), "server.log")}
	s.start()
	t.Cleanup(s.stop)
	return s
}

func (s *ownServer) url() string { return fmt.Sprintf("ws://127.0.0.1:%d", s.port) }

// start starts the server and waits until it answers.
func (s *ownServer) start() {
	s.t.Helper()
	cfg := fmt.Sprintf("port: %d\nrtc:\n  tcp_port: %d\n  udp_port: %d\n  enable_loopback_candidate: true\n"+
		"  interfaces:\n    includes: [lo]\n  ips:\n    includes: [127.0.0.0/8]\n", s.port, s.port+1, s.port+2)
	logf, err := os.OpenFile(s.log, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	require.NoError(s.t, err)
	defer logf.Close()
	s.cmd = exec.Command(s.bin, "--dev", "--bind", "127.0.0.1", "--node-ip", "127.0.0.1", "--config-body", cfg)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	require.NoError(s.t, s.cmd.Start())
	s.done = make(chan struct{})
	go func(cmd *exec.Cmd, done chan struct{}) {
		_ = cmd.Wait()
		close(done)
	}(s.cmd, s.done)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	httpURL := fmt.Sprintf("http://127.0.0.1:%d/", s.port)
	err = waitCond(ctx, func() bool {
		select {
		case <-s.done:
			return true
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, httpURL, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	http.DefaultClient.CloseIdleConnections()
	select {
	case <-s.done:
		s.t.Fatalf("livekit-server exited at start; its log: %s", s.log)
	default:
	}
	require.NoError(s.t, err, "livekit-server answers on port %d", s.port)
}

// kill ends the server at once, as a crash does, and waits for it.
func (s *ownServer) kill() {
	if s.cmd == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
	s.cmd = nil
}

func (s *ownServer) stop() { s.kill() }
