package fakehttp

import "sync"

// A Script hands out the replies of a fake server, in order, and records
// the requests they answered; when no reply is queued, a fallback function
// answers (a fake's echo model). The zero value is not usable; call
// NewScript.
//
// All methods are safe for concurrent use: handlers take replies while the
// test queues more and reads the requests.
type Script[Req, Rep any] struct {
	mu       sync.Mutex
	replies  []Rep
	requests []Req
	fallback func(Req) Rep
}

// NewScript returns a Script that answers with fallback when no reply is
// queued.
func NewScript[Req, Rep any](fallback func(Req) Rep) *Script[Req, Rep] {
	return &Script[Req, Rep]{fallback: fallback}
}

// Enqueue queues replies for the next requests.
func (s *Script[Req, Rep]) Enqueue(replies ...Rep) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.replies = append(s.replies, replies...)
}

// SetFallback replaces the function that answers when no reply is queued.
func (s *Script[Req, Rep]) SetFallback(f func(Req) Rep) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = f
}

// Next records req and returns its reply: the first one queued, or the
// fallback's.
func (s *Script[Req, Rep]) Next(req Req) Rep {
	s.mu.Lock()
	s.requests = append(s.requests, req)
	if len(s.replies) > 0 {
		rep := s.replies[0]
		var zero Rep
		s.replies[0] = zero
		s.replies = s.replies[1:]
		s.mu.Unlock()
		return rep
	}
	f := s.fallback
	s.mu.Unlock()
	return f(req)
}

// Requests returns every request recorded so far, in order.
func (s *Script[Req, Rep]) Requests() []Req {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Req(nil), s.requests...)
}
