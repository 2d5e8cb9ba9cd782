//go:build !unix

package geminitest

import "syscall"

// receiveBuffer does nothing where SO_RCVBUF cannot be set portably.
func receiveBuffer(int) func(network, address string, c syscall.RawConn) error { return nil }
