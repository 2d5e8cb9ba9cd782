// Package lockedbuf is a bytes.Buffer that a program under test and the
// test can use at once, for the examples' tests that read what a program
// prints while it runs.
package lockedbuf

import (
	"bytes"
	"sync"
)

// A Buffer is a bytes.Buffer whose Write and String are safe to call from
// any goroutine at once. The zero value is an empty buffer.
type Buffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what has been written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
