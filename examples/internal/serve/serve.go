package serve

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// Flags are where and how a server listens. A plain value.
type Flags struct {
	Addr            string // host:port
	TLSCert, TLSKey string // PEM files; both set: serve HTTPS (and wss)
}

// Register adds -addr (default addr), -tls-cert and -tls-key to the
// program's flags.
func (f *Flags) Register(addr string) {
	flag.StringVar(&f.Addr, "addr", addr, "address to listen on")
	flag.StringVar(&f.TLSCert, "tls-cert", "", "certificate file (PEM): serve HTTPS and wss, as browsers on other machines need for the microphone; with -tls-key")
	flag.StringVar(&f.TLSKey, "tls-key", "", "the certificate's private key file (PEM)")
}

// TLS reports whether both TLS files are set.
func (f Flags) TLS() bool { return f.TLSCert != "" && f.TLSKey != "" }

// URL returns the base URL of a server on ln with these flags.
func (f Flags) URL(ln net.Listener) string {
	if f.TLS() {
		return "https://" + ln.Addr().String()
	}
	return "http://" + ln.Addr().String()
}

func (f Flags) check() error {
	if (f.TLSCert == "") != (f.TLSKey == "") {
		return errors.New("-tls-cert and -tls-key go together")
	}
	return nil
}

// Main listens on f.Addr and calls run until it returns; SIGINT (Ctrl-C)
// and SIGTERM cancel run's context. On an error it prints "name: error"
// and exits with status 1.
func Main(name string, f Flags, run func(ctx context.Context, ln net.Listener) error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := f.check()
	var ln net.Listener
	if err == nil {
		ln, err = net.Listen("tcp", f.Addr)
	}
	if err == nil {
		err = run(ctx, ln)
	}
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
		os.Exit(1)
	}
}

// Serve serves srv on ln, over TLS when f says so, until ctx is done or
// serving fails. Then it shuts srv down and calls end, which must end the
// WebSocket conversations in progress and wait for them (Shutdown does
// neither). It sets srv.ReadHeaderTimeout to 10 s when it is zero.
func Serve(ctx context.Context, srv *http.Server, ln net.Listener, f Flags, end func()) error {
	if err := f.check(); err != nil {
		_ = ln.Close()
		return err
	}
	if srv.ReadHeaderTimeout == 0 {
		srv.ReadHeaderTimeout = 10 * time.Second
	}
	served := make(chan error, 1)
	go func() {
		if f.TLS() {
			served <- srv.ServeTLS(ln, f.TLSCert, f.TLSKey)
		} else {
			served <- srv.Serve(ln)
		}
	}()
	var err error
	select {
	case err = <-served:
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = srv.Shutdown(shut)
		cancel()
		if e := <-served; !errors.Is(e, http.ErrServerClosed) {
			err = e
		}
	}
	end()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}
