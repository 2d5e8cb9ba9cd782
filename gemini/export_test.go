package gemini

import (
	"errors"
	"net"
)

// SetSendBuffer sets the kernel send buffer (SO_SNDBUF) of the stream's
// current connection to n bytes, which also stops the kernel from growing
// it: with the peer's receive buffer small too, a write of a message much
// larger than both blocks for certain once the peer stops reading.
func SetSendBuffer(s *Stream, n int) error {
	ws := wsConn(s.send.current())
	if ws == nil {
		return errors.New("gemini: no connection")
	}
	tcp, ok := ws.NetConn().(*net.TCPConn)
	if !ok {
		return errors.New("gemini: not a TCP connection")
	}
	return tcp.SetWriteBuffer(n)
}
