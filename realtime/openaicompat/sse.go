package openaicompat

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// An sseReader reads the data of server-sent events: "data:" lines joined
// with newlines, dispatched at a blank line; comments and other fields are
// ignored.
type sseReader struct {
	r    *bufio.Reader
	data []byte
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{r: bufio.NewReaderSize(r, 16<<10)} }

// next returns the data of the next event, or io.EOF at the end of the body.
func (s *sseReader) next() ([]byte, error) {
	s.data = s.data[:0]
	have := false
	for {
		line, err := s.r.ReadBytes('\n')
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) && have {
				return s.data, nil // a last event without its blank line
			}
			return nil, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if have {
				return s.data, nil
			}
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		if string(field) != "data" {
			continue // a comment (":..."), "event:", "id:" or "retry:"
		}
		value = bytes.TrimPrefix(value, []byte(" "))
		if have {
			s.data = append(s.data, '\n')
		}
		s.data = append(s.data, value...)
		have = true
		if err != nil {
			return s.data, nil
		}
	}
}
