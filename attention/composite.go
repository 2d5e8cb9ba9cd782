package attention

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
)

// A Member is one backend of a CompositeStream. A plain value.
type Member struct {
	// Name names the member in Switch events and in Route and Escalation.
	// Required, unique.
	Name   string
	Stream fullduplex.DuplexStream
	// Hears marks a member that takes audio and transcribes it itself (a
	// Live model): user transcripts sent to the stream (text Symbols with
	// MetaTranscript, from the app's own speech-to-text) are not passed to
	// it, which would take them for typed turns. They still enter the
	// transcript carried over to another member. Default false.
	Hears bool
}

// A CompositeConfig configures a CompositeStream. Members is required; the
// zero value of every other field turns its policy off. A plain value;
// NewComposite copies it.
type CompositeConfig struct {
	// Members are connected by Connect and closed by Close. The first is
	// the primary: it gets every input that Route does not send elsewhere,
	// and its turns are the answers unless Escalation hands the floor on.
	Members []Member
	// Failover lists standbys, in order, for the primary: when it fails
	// fatally (its Connect fails, its Receive returns an error, a Send
	// fails with anything but ErrInvalidSymbol), it is closed and the next
	// standby is connected in its place; the transcript so far goes to the
	// standby as one text turn (Context), and Receive returns an
	// EventReconnect whose Data is a Switch. A turn the failure cut off
	// ends with EventInterrupt first, and the standby's answer to the
	// context is the answer the user was owed; when nothing was owed its
	// answer to the context is not passed on. Standbys are closed by Close.
	// Default none: the primary's fatal error is the stream's.
	Failover []Member
	// Route names the member each modality of input goes to. Default: the
	// primary. User transcripts are passed on from the member that gets
	// the audio only.
	Route map[fullduplex.Modality]string
	// RouteFunc, when set, routes by content: it names the member each
	// symbol of input goes to ("" or a name that is not a member: Route
	// decides). It is called from the goroutine calling Send and must
	// return quickly. Default nil.
	RouteFunc func(s fullduplex.Symbol) string
	// Escalation hands the floor from the primary to another member.
	// Default: none.
	Escalation Escalation
	// Context builds the text given to a member that takes over (by
	// failover or escalation) from the transcript so far; owed is whether
	// it must answer the user's last message. Default DefaultContext.
	Context func(history []Line, owed bool) string
	// MaxHistory is how many bytes of transcript are kept for Context,
	// the oldest lines dropped first. Default 16000.
	MaxHistory int
	// Drain bounds how long a primary whose Send failed is still read
	// before it is closed for a failover: what it received before it
	// failed (the rest of an answer, a whole answer) is passed on first,
	// and enters the transcript, until its Receive ends, as a broken
	// connection's does at once. A member whose Receive goes on past Drain
	// is closed then, and what it still held is not passed on. A Send that
	// fails over waits for this. Default 1 s.
	Drain time.Duration
}

// DefaultDrain is CompositeConfig.Drain's default.
const DefaultDrain = time.Second

// Escalation lets the primary (cheap, skimming) hear everything and hands
// the floor to a deeper member when a relevance test fires. A plain value.
type Escalation struct {
	// To names the member that takes the floor. "" turns escalation off.
	To string
	// When is asked about each item the primary returns that is passed on
	// (its transcripts of the user, its answers' symbols and events); true
	// escalates: the primary's answer in progress is cut (EventInterrupt,
	// and InterruptOutput when it can), To gets the transcript so far
	// (Context, owed) and every input while it has the floor, and Receive
	// returns an EventMetadata whose Data is a Switch. Called with the
	// stream's lock held: return quickly, call nothing of the stream.
	When func(item fullduplex.StreamItem) bool
	// Turns is how many answers To gives before the floor returns to the
	// primary (another EventMetadata Switch). Default 1.
	Turns int
}

// A Line is one line of the transcript a CompositeStream keeps: what the
// user typed or said (fullduplex.RoleUser) or what a model answered
// (fullduplex.RoleModel). A plain value.
type Line struct {
	Role string
	Text string
}

// A Switch is the Data of the event a CompositeStream returns when the
// conversation moves between members. A plain value, safe to share.
type Switch struct {
	From, To string
	// Reason is SwitchFailover (an EventReconnect), SwitchEscalate or
	// SwitchReturn (EventMetadata).
	Reason string
	// Err is the failure that caused a failover (already redacted by the
	// member); nil otherwise.
	Err error
}

// The reasons of a Switch.
const (
	SwitchFailover = "failover"
	SwitchEscalate = "escalate"
	SwitchReturn   = "return"
)

// String describes the switch on one line.
func (s Switch) String() string {
	if s.Err != nil {
		return fmt.Sprintf("%s: %s → %s (%v)", s.Reason, s.From, s.To, s.Err)
	}
	return fmt.Sprintf("%s: %s → %s", s.Reason, s.From, s.To)
}

// DefaultMaxHistory is CompositeConfig.MaxHistory's default.
const DefaultMaxHistory = 16000

// A CompositeStream is a fullduplex.DuplexStream over member streams (see
// CompositeConfig). It is a SendCloser, OutputInterrupter, ToolDeclarer,
// ToolResponder and PlaybackUser, passing each on to the member it concerns.
//
// Every method is safe for concurrent use, like every DuplexStream's; Close
// may be called from any goroutine at any time.
type CompositeStream struct {
	cfg CompositeConfig

	ready    chan struct{} // cap 1: an item arrived or a member ended
	closedCh chan struct{}
	wg       sync.WaitGroup // the members' readers

	connMu sync.Mutex // serialises Connect

	mu        sync.Mutex // guards everything below
	connected bool
	closed    bool
	ctx       context.Context // cancelled by Close; the readers' and switches' ctx
	cancel    context.CancelFunc
	members   []*member // connected members; members[0] is the primary
	standby   []Member  // failover standbys not used yet
	switching chan struct{}
	fatal     error // the stream's end: no standby was left
	recv      recvState

	played playbackMaps // the members' turn numbers, for their PlaybackReporters
}

// NewComposite returns a CompositeStream over cfg's members, not connected
// yet, or an error wrapping ErrConfig. The stream owns the members: Close
// closes them.
func NewComposite(cfg CompositeConfig) (*CompositeStream, error) {
	if len(cfg.Members) == 0 {
		return nil, fmt.Errorf("%w: a composite stream needs members", ErrConfig)
	}
	names := map[string]bool{}
	for _, m := range append(append([]Member(nil), cfg.Members...), cfg.Failover...) {
		if m.Name == "" || m.Stream == nil || names[m.Name] {
			return nil, fmt.Errorf("%w: member %q: want a unique name and a stream", ErrConfig, m.Name)
		}
		names[m.Name] = true
	}
	member := func(name string) bool {
		for _, m := range cfg.Members {
			if m.Name == name {
				return true
			}
		}
		return false
	}
	for mod, name := range cfg.Route {
		if !member(name) {
			return nil, fmt.Errorf("%w: Route sends %s to %q, not a member", ErrConfig, mod, name)
		}
	}
	if e := cfg.Escalation; e.To != "" {
		if !member(e.To) || e.To == cfg.Members[0].Name || e.When == nil {
			return nil, fmt.Errorf("%w: Escalation to %q: want a member other than the primary, and When", ErrConfig, e.To)
		}
		if e.Turns < 0 {
			return nil, fmt.Errorf("%w: Escalation.Turns %d", ErrConfig, e.Turns)
		}
	}
	if cfg.Escalation.Turns == 0 {
		cfg.Escalation.Turns = 1
	}
	if cfg.Context == nil {
		cfg.Context = DefaultContext
	}
	if cfg.MaxHistory <= 0 {
		cfg.MaxHistory = DefaultMaxHistory
	}
	if cfg.Drain <= 0 {
		cfg.Drain = DefaultDrain
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &CompositeStream{
		cfg:      cfg,
		ready:    make(chan struct{}, 1),
		closedCh: make(chan struct{}),
		ctx:      ctx,
		cancel:   cancel,
		standby:  append([]Member(nil), cfg.Failover...),
	}
	c.recv.init()
	return c, nil
}

var (
	_ fullduplex.DuplexStream      = (*CompositeStream)(nil)
	_ fullduplex.SendCloser        = (*CompositeStream)(nil)
	_ fullduplex.OutputInterrupter = (*CompositeStream)(nil)
	_ fullduplex.ToolDeclarer      = (*CompositeStream)(nil)
	_ fullduplex.ToolResponder     = (*CompositeStream)(nil)
	_ fullduplex.PlaybackUser      = (*CompositeStream)(nil)
)

// Connect connects every member; when the primary's Connect fails, the
// standbys are tried in order (each switch an EventReconnect for Receive).
// ctx bounds the handshakes only. Connect on a connected stream does
// nothing.
func (c *CompositeStream) Connect(ctx context.Context) error {
	c.connMu.Lock()
	defer c.connMu.Unlock()
	c.mu.Lock()
	if err := c.usableLocked(); !errors.Is(err, fullduplex.ErrNotConnected) {
		c.mu.Unlock()
		return err // nil when connected
	}
	c.mu.Unlock()
	var ms []*member
	var switches []Switch
	fail := func(err error) error {
		for _, m := range ms {
			_ = m.s.Close()
		}
		return err
	}
	for k, m := range c.cfg.Members {
		err := m.Stream.Connect(ctx)
		for k == 0 && err != nil && ctx.Err() == nil {
			c.mu.Lock()
			if len(c.standby) == 0 || c.closed {
				c.mu.Unlock()
				break
			}
			next := c.standby[0]
			c.standby = c.standby[1:]
			c.mu.Unlock()
			switches = append(switches, Switch{From: m.Name, To: next.Name, Reason: SwitchFailover, Err: err})
			_ = m.Stream.Close()
			m = next
			err = m.Stream.Connect(ctx)
		}
		if err != nil {
			return fail(fmt.Errorf("attention: connect %s: %w", m.Name, err))
		}
		ms = append(ms, newMember(m))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return fail(fullduplex.ErrClosed)
	}
	for _, sw := range switches {
		c.recv.push(fullduplex.NewEvent(fullduplex.EventReconnect, sw))
	}
	c.members = ms
	c.connected = true
	for _, m := range ms {
		c.startReader(m)
	}
	return nil
}

// Connected reports whether the stream is connected and not closed.
func (c *CompositeStream) Connected() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.connected && !c.closed
}

// Close closes every member, standbys included, and waits for the
// readers; it unblocks every pending call, which then returns ErrClosed.
func (c *CompositeStream) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.cancel()
	close(c.closedCh)
	c.mu.Unlock()
	// Every stream, connected or not: a Connect or failover under way is
	// unblocked too.
	var errs []error
	for _, m := range append(append([]Member(nil), c.cfg.Members...), c.cfg.Failover...) {
		if err := m.Stream.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	c.wg.Wait()
	return errors.Join(errs...)
}

// usable checks the stream can be used; c.mu must be held.
func (c *CompositeStream) usableLocked() error {
	if c.closed {
		return fullduplex.ErrClosed
	}
	if !c.connected {
		return fullduplex.ErrNotConnected
	}
	return nil
}

// memberLocked returns the connected member named name, or nil.
func (c *CompositeStream) memberLocked(name string) *member {
	for _, m := range c.members {
		if m.name == name {
			return m
		}
	}
	return nil
}
