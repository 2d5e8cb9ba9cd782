package attention

import (
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// turnsKept is how many of a member's turns the stream remembers the
// numbers of, for what the member asks its PlaybackReporter: a member asks
// about the turn it is cutting or just finished.
const turnsKept = 32

// A turnMap maps the turn numbers of one member to the stream's, for its
// latest turnsKept turns passed on.
type turnMap struct {
	member, stream [turnsKept]int
	n, next        int
}

func (t *turnMap) set(member, stream int) {
	for k := range t.n {
		if t.member[k] == member {
			t.stream[k] = stream
			return
		}
	}
	t.member[t.next], t.stream[t.next] = member, stream
	t.next = (t.next + 1) % turnsKept
	t.n = min(t.n+1, turnsKept)
}

func (t *turnMap) get(member int) (int, bool) {
	for k := range t.n {
		if t.member[k] == member {
			return t.stream[k], true
		}
	}
	return 0, false
}

// playbackMaps are the turnMaps of a CompositeStream's members, by name.
// Safe for concurrent use: a member's reporter is asked from the member's
// goroutines.
type playbackMaps struct {
	mu   sync.Mutex
	maps map[string]*turnMap
}

func (p *playbackMaps) set(name string, member, stream int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.maps == nil {
		p.maps = map[string]*turnMap{}
	}
	t := p.maps[name]
	if t == nil {
		t = &turnMap{}
		p.maps[name] = t
	}
	if s, ok := t.get(member); !ok || s != stream {
		t.set(member, stream)
	}
}

func (p *playbackMaps) get(name string, member int) (int, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if t := p.maps[name]; t != nil {
		return t.get(member)
	}
	return 0, false
}

// A memberPlayback is the PlaybackReporter a member is handed: it asks the
// receiver's reporter about the stream's number of the member's turn.
// Safe for concurrent use.
type memberPlayback struct {
	c    *CompositeStream
	name string
	p    fullduplex.PlaybackReporter
}

// Played returns how much of the member's turn turn has been played.
func (m *memberPlayback) Played(turn int) time.Duration {
	st, ok := m.c.played.get(m.name, turn)
	if !ok {
		return 0
	}
	return m.p.Played(st)
}
