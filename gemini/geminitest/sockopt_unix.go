//go:build unix

package geminitest

import "syscall"

// receiveBuffer returns a listener Control that sets SO_RCVBUF to n bytes
// (accepted sockets inherit it), or nil for n <= 0.
func receiveBuffer(n int) func(network, address string, c syscall.RawConn) error {
	if n <= 0 {
		return nil
	}
	return func(_, _ string, c syscall.RawConn) error {
		var serr error
		if err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, n)
		}); err != nil {
			return err
		}
		return serr
	}
}
