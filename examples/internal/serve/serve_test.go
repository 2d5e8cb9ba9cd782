package serve

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	return ln
}

func hello(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") }

func get(t *testing.T, c *http.Client, url string) string {
	resp, err := c.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// With -tls-cert and -tls-key the server speaks HTTPS only, with that
// certificate; cancelling the context shuts it down and then calls end.
func TestServeTLS(t *testing.T) {
	certFile, keyFile, roots, err := SelfSigned(t.TempDir(), "127.0.0.1")
	require.NoError(t, err)
	f := Flags{TLSCert: certFile, TLSKey: keyFile}
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, &http.Server{Handler: http.HandlerFunc(hello)}, ln, f, func() { close(ended) })
	}()

	url := f.URL(ln)
	assert.Equal(t, "https://"+ln.Addr().String(), url)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer client.CloseIdleConnections()
	assert.Equal(t, "hello", get(t, client, url+"/"))

	// A client that does not trust the certificate is refused, and plain
	// HTTP gets no page.
	_, err = http.Get(url + "/")
	var unknown x509.UnknownAuthorityError
	assert.ErrorAs(t, err, &unknown)
	resp, err := http.Get("http://" + ln.Addr().String() + "/")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP to a TLS server")

	select {
	case <-ended:
		t.Fatal("end was called while serving")
	default:
	}
	cancel()
	require.NoError(t, <-done)
	<-ended
}

func TestServePlain(t *testing.T) {
	ln := listen(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	var f Flags
	go func() { done <- Serve(ctx, &http.Server{Handler: http.HandlerFunc(hello)}, ln, f, func() {}) }()
	assert.Equal(t, "http://"+ln.Addr().String(), f.URL(ln))
	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	assert.Equal(t, "hello", get(t, client, f.URL(ln)+"/"))
	cancel()
	require.NoError(t, <-done)
}

// A certificate without its key is refused before anything is served.
func TestServeHalfTLS(t *testing.T) {
	err := Serve(context.Background(), &http.Server{}, listen(t), Flags{TLSCert: "cert.pem"}, func() {})
	assert.ErrorContains(t, err, "-tls-cert and -tls-key go together")
}

// A missing certificate file fails the server, and end still runs.
func TestServeMissingCert(t *testing.T) {
	ended := false
	err := Serve(context.Background(), &http.Server{}, listen(t), Flags{TLSCert: "/nonexistent/cert.pem", TLSKey: "/nonexistent/key.pem"}, func() { ended = true })
	assert.ErrorContains(t, err, "nonexistent")
	assert.True(t, ended)
}
