package openaicompat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// maxEvent bounds one server-sent event, so a server that never ends a
// line cannot make the client grow without limit. Tests lower it.
var maxEvent = 4 << 20

// An sseReader reads server-sent events: the "data:" lines of an event
// joined with newlines, dispatched at a blank line. An event whose type is
// "error" ("event: error"), or that carries an "error:" line (older
// llama.cpp servers report a failure mid-stream that way), is an error
// event. Comments and other fields are ignored.
type sseReader struct {
	r    *bufio.Reader
	line []byte
	data []byte
	errd []byte
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{r: bufio.NewReaderSize(r, 16<<10)} }

// next returns the data of the next event and whether it is an error
// event, or io.EOF at the end of the body.
func (s *sseReader) next() (data []byte, isErr bool, err error) {
	s.data, s.errd = s.data[:0], s.errd[:0]
	haveData, haveErr, typedErr := false, false, false
	dispatch := func() ([]byte, bool, error) {
		switch {
		case haveErr:
			return s.errd, true, nil
		case typedErr:
			return s.data, true, nil
		}
		return s.data, false, nil
	}
	for {
		line, err := s.readLine()
		if len(line) == 0 && err != nil {
			if errors.Is(err, io.EOF) && (haveData || haveErr) {
				return dispatch() // a last event without its blank line
			}
			return nil, false, err
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if haveData || haveErr {
				return dispatch()
			}
			typedErr = false
			continue
		}
		field, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimPrefix(value, []byte(" "))
		switch string(field) {
		case "data":
			if haveData {
				s.data = append(s.data, '\n')
			}
			s.data, haveData = append(s.data, value...), true
		case "error":
			if haveErr {
				s.errd = append(s.errd, '\n')
			}
			s.errd, haveErr = append(s.errd, value...), true
		case "event":
			typedErr = string(value) == "error"
		default:
			// a comment (":..."), "id:" or "retry:"
		}
		if len(s.data)+len(s.errd) > maxEvent {
			return nil, false, fmt.Errorf("an event longer than %d bytes", maxEvent)
		}
		if err != nil {
			return dispatch()
		}
	}
}

// readLine reads one line, up to maxEvent bytes.
func (s *sseReader) readLine() ([]byte, error) {
	s.line = s.line[:0]
	for {
		frag, err := s.r.ReadSlice('\n')
		if len(s.line)+len(frag) > maxEvent {
			return nil, fmt.Errorf("a line longer than %d bytes", maxEvent)
		}
		s.line = append(s.line, frag...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return s.line, err
		}
	}
}
