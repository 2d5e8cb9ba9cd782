package console

import (
	"bufio"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// Lines is a fullduplex.Source of the lines typed on standard input, as
// text symbols; empty lines are skipped and io.EOF comes at the end of
// input. Next returns when its ctx is done, without leaving a goroutine
// blocked in a read: standard input is switched to non-blocking mode so the
// runtime's poller can interrupt the read. Read it from one goroutine.
type Lines struct {
	f           *os.File
	r           *bufio.Reader
	nonblocking bool
}

// NewLines returns a Lines over standard input.
func NewLines() *Lines {
	l := &Lines{f: os.Stdin}
	// A non-blocking descriptor is registered with the poller by
	// os.NewFile, which makes read deadlines work on it.
	if err := syscall.SetNonblock(int(os.Stdin.Fd()), true); err == nil {
		l.f, l.nonblocking = os.NewFile(os.Stdin.Fd(), "/dev/stdin"), true
	}
	l.r = bufio.NewReader(l.f)
	return l
}

// Restore puts standard input back in blocking mode, which the shell that
// started the program shares with it. Call it before the program exits.
func (l *Lines) Restore() {
	if l.nonblocking {
		_ = syscall.SetNonblock(int(os.Stdin.Fd()), false)
	}
}

// Next returns the next non-empty line.
func (l *Lines) Next(ctx context.Context) (fullduplex.Symbol, error) {
	stop := context.AfterFunc(ctx, func() { _ = l.f.SetReadDeadline(time.Now()) })
	defer stop()
	for {
		line, err := l.r.ReadString('\n')
		if errors.Is(err, os.ErrDeadlineExceeded) {
			_ = l.f.SetReadDeadline(time.Time{})
			return fullduplex.Symbol{}, ctx.Err()
		}
		if text := strings.TrimSpace(line); text != "" {
			return fullduplex.TextSymbol(text), nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) {
				return fullduplex.Symbol{}, io.EOF
			}
			return fullduplex.Symbol{}, err
		}
	}
}
