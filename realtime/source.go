package realtime

import (
	"context"
	"errors"
	"io"

	"github.com/fullduplex-go/fullduplex"
)

// CloseSendAtEOF returns a Source that yields what src yields and, when src
// returns io.EOF, calls s.CloseSend before it returns io.EOF: the answer to
// the last input is received, then Receive returns io.EOF and a
// DuplexSession's RunDuplex returns nil. Without it, a Stream waits for more
// input until Close, like a live connection.
//
// Like every Source, the result is read by one goroutine at a time. Wrap
// each input of fullduplex.MergeSources separately only if each one's end
// should end the conversation; usually wrap the merged source.
func CloseSendAtEOF(s *Stream, src fullduplex.Source) fullduplex.Source {
	return fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		sym, err := src.Next(ctx)
		if errors.Is(err, io.EOF) {
			if cerr := s.CloseSend(ctx); cerr != nil {
				return fullduplex.Symbol{}, cerr
			}
		}
		return sym, err
	})
}
