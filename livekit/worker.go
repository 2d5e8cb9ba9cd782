package livekit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/redact"
	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// A Handler serves one room: typically it makes a DuplexStream and a
// DuplexSession and calls room.Run. ctx is cancelled when the server
// terminates the job or the worker's Run is cancelled; the Worker closes
// the Room after the Handler returns. An error marks the job failed. The
// Worker calls a Handler on many goroutines at once, one per room.
type Handler func(ctx context.Context, room *Room) error

// A Worker registers with a LiveKit server for agent dispatch and serves
// one Room per job it accepts, up to WorkerConfig.MaxJobs at once, each
// with the Handler on its own goroutine. Drain (or SIGTERM) makes it take no
// new jobs, finish the ones it has, and leave.
//
// Run is called once; Drain, Draining, Registered, Load and ID are safe from any goroutine.
type Worker struct {
	cfg    WorkerConfig
	handle Handler

	drain     chan struct{}
	drainOnce sync.Once
	jobDone   chan string // a job's ID, when its Handler has returned and the Room closed
	jobsWG    sync.WaitGroup

	mu         sync.Mutex // guards the fields below
	id         string
	jobs       map[string]*job
	reserved   map[string]time.Time // jobs accepted, not yet assigned
	draining   bool
	served     int64
	failed     int64
	reconnects int
	regd       chan struct{} // closed once registered
	drainingCh chan struct{} // closed once draining

	live liveConn // the connection to the server
}

// A sender sends worker messages to the server (a *workerConn; tests fake
// it). send is safe from any goroutine.
type sender interface {
	send(m *livekit.WorkerMessage) error
}

type job struct {
	id     string
	room   string
	cancel context.CancelFunc
}

// NewWorker returns a Worker that serves each room it is dispatched to with
// handle.
func NewWorker(cfg WorkerConfig, handle Handler) *Worker {
	return &Worker{
		cfg:      cfg.withDefaults(),
		handle:   handle,
		drain:    make(chan struct{}),
		jobDone:  make(chan string),
		jobs:     map[string]*job{},
		reserved: map[string]time.Time{},
		regd:     make(chan struct{}),

		drainingCh: make(chan struct{}),
	}
}

// Load describes a Worker's jobs: a snapshot, safe to copy and share.
type Load struct {
	Jobs     int   // rooms being served now
	MaxJobs  int   // WorkerConfig.MaxJobs
	Served   int64 // jobs finished, successfully or not
	Failed   int64 // jobs whose Handler (or joining) failed
	Draining bool  // taking no new jobs
	// Reconnects counts the times the worker registered again after its
	// connection to the server was lost.
	Reconnects int
}

// Fraction is the load the worker reports to the server: Jobs / MaxJobs.
func (l Load) Fraction() float32 { return float32(l.Jobs) / float32(l.MaxJobs) }

// Load returns the worker's current load.
func (w *Worker) Load() Load {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.loadLocked()
}

func (w *Worker) loadLocked() Load {
	return Load{Jobs: len(w.jobs), MaxJobs: w.cfg.MaxJobs, Served: w.served, Failed: w.failed, Draining: w.draining, Reconnects: w.reconnects}
}

// ID returns the worker ID the server assigned, "" before registration.
func (w *Worker) ID() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.id
}

// Registered returns a channel closed once the server has registered the
// worker.
func (w *Worker) Registered() <-chan struct{} { return w.regd }

// Draining returns a channel closed once the worker drains (after Drain,
// a DrainOn signal, or a connection lost for good): from then on it takes
// no new job, and the server has been told it is full.
func (w *Worker) Draining() <-chan struct{} { return w.drainingCh }

// Drain makes the worker take no new jobs (it reports itself full and
// declines offers) and Run return nil once its jobs have ended. It is
// idempotent.
func (w *Worker) Drain() { w.drainOnce.Do(func() { close(w.drain) }) }

// Run registers the worker and serves jobs until it has drained (nil), ctx
// is done (ctx's error; every job's ctx is cancelled and Run waits for its
// Handler), or the connection to the server is lost for longer than
// WorkerConfig.ReconnectTimeout (the error, after the running jobs end on
// their own: a room does not need the worker's connection). When the
// connection drops (the server restarted, the network failed), Run dials
// again with backoff and registers anew, and the jobs in progress go on.
// Every goroutine Run started has finished when it returns.
func (w *Worker) Run(ctx context.Context) error {
	conn, reg, err := dialWorker(ctx, w.cfg)
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.id = reg.WorkerId
	w.mu.Unlock()
	close(w.regd)

	sigs := make(chan os.Signal, 1)
	if len(w.cfg.DrainOn) > 0 {
		signal.Notify(sigs, w.cfg.DrainOn...)
		defer signal.Stop(sigs)
	}

	events := make(chan connEvent)
	dialed := make(chan dialResult)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	gen := 0 // the connection's generation: events of older ones are stale
	listen := func(c *workerConn) {
		gen++
		w.live.set(c)
		wg.Add(1)
		go w.readLoop(c, gen, events, quit, &wg)
	}
	listen(conn)
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	dialCtx, cancelDial := context.WithCancel(ctx)
	defer func() {
		cancelJobs()
		cancelDial()
		close(quit)
		w.live.set(nil)
		w.waitJobs()
		wg.Wait()
	}()

	if err := w.report(&w.live); err != nil {
		return err
	}
	var connErr error // the connection is lost for good
	for {
		if w.drained() || (connErr != nil && w.Load().Jobs == 0) {
			if connErr != nil {
				return connErr
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sigs:
			w.Drain()
		case <-w.drain:
			w.startDrain(&w.live)
		case ev := <-events:
			if ev.gen != gen {
				continue
			}
			if ev.err == nil {
				w.handleMessage(jobCtx, &w.live, ev.m)
				continue
			}
			// Lost: the jobs go on (their rooms have their own
			// connections) while a new connection is dialled.
			w.live.set(nil)
			gen++
			if w.isDraining() {
				connErr = fmt.Errorf("livekit: worker: connection lost while draining: %w", ev.err)
				continue
			}
			wg.Add(1)
			go w.redial(dialCtx, ev.err, dialed, quit, &wg)
		case d := <-dialed:
			if d.err != nil {
				connErr = d.err
				w.startDrain(nil)
				continue
			}
			w.mu.Lock()
			w.id = d.reg.WorkerId
			w.reconnects++
			w.mu.Unlock()
			listen(d.conn)
			_ = w.report(&w.live)
		case id := <-w.jobDone:
			w.finish(&w.live, id)
		}
	}
}

// A connEvent is a message read from the connection of generation gen, or
// the error that ended it.
type connEvent struct {
	gen int
	m   *livekit.ServerMessage
	err error
}

// readLoop reads c until it fails, then closes it.
func (w *Worker) readLoop(c *workerConn, gen int, events chan<- connEvent, quit <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	defer c.close()
	for {
		m, err := c.read()
		select {
		case events <- connEvent{gen, m, err}:
		case <-quit:
			return
		}
		if err != nil {
			return
		}
	}
}

type dialResult struct {
	conn *workerConn
	reg  *livekit.RegisterWorkerResponse
	err  error
}

// Reconnection backoff: the first retry comes at once, then the wait
// doubles up to reconnectMaxWait.
const (
	reconnectFirstWait = 100 * time.Millisecond
	reconnectMaxWait   = 2 * time.Second
)

// redial dials and registers again until it succeeds, ctx is done, or
// WorkerConfig.ReconnectTimeout has passed since the connection was lost
// (lost is why).
func (w *Worker) redial(ctx context.Context, lost error, dialed chan<- dialResult, quit <-chan struct{}, wg *sync.WaitGroup) {
	defer wg.Done()
	ctx, cancel := context.WithTimeout(ctx, w.cfg.ReconnectTimeout)
	defer cancel()
	var res dialResult
	wait := time.Duration(0)
	for {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			res.err = fmt.Errorf("livekit: worker: connection lost, not back within %v: %w (last attempt: %v)", w.cfg.ReconnectTimeout, lost, res.err)
			if errors.Is(ctx.Err(), context.Canceled) {
				res.err = ctx.Err()
			}
			res.conn, res.reg = nil, nil
			select {
			case dialed <- res:
			case <-quit:
			}
			return
		case <-t.C:
		}
		res.conn, res.reg, res.err = dialWorker(ctx, w.cfg)
		if res.err == nil {
			select {
			case dialed <- res:
			case <-quit:
				res.conn.close()
			}
			return
		}
		wait = min(max(2*wait, reconnectFirstWait), reconnectMaxWait)
	}
}

// A liveConn is the worker's current connection, nil while it reconnects;
// sending through it then fails (a job's status update is lost: the server
// it was for is gone).
//
// All methods are safe for concurrent use.
type liveConn struct {
	mu sync.Mutex
	c  *workerConn
}

// errNotConnected is what a send returns while the worker reconnects.
var errNotConnected = errors.New("livekit: worker: not connected")

func (l *liveConn) set(c *workerConn) {
	l.mu.Lock()
	old := l.c
	l.c = c
	l.mu.Unlock()
	if old != nil && old != c {
		old.close()
	}
}

func (l *liveConn) send(m *livekit.WorkerMessage) error {
	l.mu.Lock()
	c := l.c
	l.mu.Unlock()
	if c == nil {
		return errNotConnected
	}
	return c.send(m)
}

func (w *Worker) isDraining() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.draining
}

// drained reports whether a drain has completed: no jobs left.
func (w *Worker) drained() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.draining && len(w.jobs) == 0
}

func (w *Worker) startDrain(conn sender) {
	w.mu.Lock()
	already := w.draining
	w.draining = true
	w.mu.Unlock()
	if already {
		return
	}
	if conn != nil {
		_ = w.report(conn)
	}
	close(w.drainingCh)
}

// report tells the server the worker's status and load.
func (w *Worker) report(conn sender) error {
	w.mu.Lock()
	l := w.loadLocked()
	full := l.Draining || l.Jobs+len(w.reserved) >= l.MaxJobs
	w.mu.Unlock()
	status := livekit.WorkerStatus_WS_AVAILABLE
	if full {
		status = livekit.WorkerStatus_WS_FULL
	}
	return conn.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateWorker{UpdateWorker: &livekit.UpdateWorkerStatus{
		Status: &status, Load: l.Fraction(), JobCount: uint32(l.Jobs),
	}}})
}

func (w *Worker) handleMessage(ctx context.Context, conn sender, m *livekit.ServerMessage) {
	switch {
	case m.GetAvailability() != nil:
		w.offer(conn, m.GetAvailability().GetJob())
	case m.GetAssignment() != nil:
		w.assign(ctx, conn, m.GetAssignment())
	case m.GetTermination() != nil:
		w.mu.Lock()
		if j := w.jobs[m.GetTermination().GetJobId()]; j != nil {
			j.cancel()
		}
		w.mu.Unlock()
	}
}

// reserveFor is how long an accepted offer holds a slot while the server
// assigns it (its own timeout is 10 s).
const reserveFor = 15 * time.Second

// offer answers the server's "can you take this job?".
func (w *Worker) offer(conn sender, j *livekit.Job) {
	if j == nil {
		return
	}
	now := time.Now()
	w.mu.Lock()
	for id, at := range w.reserved {
		if now.Sub(at) > reserveFor {
			delete(w.reserved, id)
		}
	}
	ok := !w.draining && len(w.jobs)+len(w.reserved) < w.cfg.MaxJobs
	if ok {
		w.reserved[j.GetId()] = now
	}
	w.mu.Unlock()
	name := w.cfg.AgentName
	if name == "" {
		name = "agent"
	}
	_ = conn.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_Availability{Availability: &livekit.AvailabilityResponse{
		JobId:               j.GetId(),
		Available:           ok,
		ParticipantIdentity: "agent-" + j.GetId(),
		ParticipantName:     name,
	}}})
	if ok {
		_ = w.report(conn)
	}
}

// assign starts a job the server gave the worker.
func (w *Worker) assign(ctx context.Context, conn sender, a *livekit.JobAssignment) {
	j := a.GetJob()
	if j == nil {
		return
	}
	id := j.GetId()
	url := w.cfg.URL
	if a.Url != nil && *a.Url != "" {
		url = *a.Url
	}
	jctx, cancel := context.WithCancel(ctx)
	w.mu.Lock()
	delete(w.reserved, id)
	if _, dup := w.jobs[id]; dup {
		w.mu.Unlock()
		cancel()
		return
	}
	w.jobs[id] = &job{id: id, room: j.GetRoom().GetName(), cancel: cancel}
	w.mu.Unlock()
	_ = w.report(conn)

	w.jobsWG.Add(1)
	go func() {
		defer w.jobsWG.Done()
		w.serve(jctx, conn, id, j.GetRoom().GetName(), url, a.GetToken())
		w.jobDone <- id
	}()
}

// joinAttempts is how many times a job's room is joined when connecting
// times out.
const joinAttempts = 2

// serve joins the job's room, runs the Handler in it, and reports how the
// job ended, before it leaves the room (the server marks a job whose agent
// left without a report failed).
func (w *Worker) serve(ctx context.Context, conn sender, id, roomName, url, token string) {
	cfg := w.cfg.Room
	cfg.URL, cfg.Token = url, token
	room, err := Join(ctx, cfg)
	// One more attempt when connecting timed out (a loaded machine, a
	// lost packet during the handshake) while the job is still ours: the
	// room's caller is waiting.
	for attempt := 1; err != nil && attempt < joinAttempts && errors.Is(err, lksdk.ErrConnectionTimeout) && ctx.Err() == nil; attempt++ {
		room, err = Join(ctx, cfg)
	}
	if err != nil {
		w.ended(conn, id, roomName, token, err)
		return
	}
	_ = conn.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateJob{UpdateJob: &livekit.UpdateJobStatus{
		JobId: id, Status: livekit.JobStatus_JS_RUNNING,
	}}})
	err = w.handle(ctx, room)
	w.ended(conn, id, roomName, token, err)
	room.Close()
}

// ended counts a job that ended with err (nil or cancelled: success) and
// reports it (to OnJobEnd and the server), the job's token redacted from the error.
func (w *Worker) ended(conn sender, id, room, token string, err error) {
	status, msg := livekit.JobStatus_JS_SUCCESS, ""
	var reported error
	if err != nil && !errors.Is(err, context.Canceled) {
		reported = redact.Error(err, token)
		status, msg = livekit.JobStatus_JS_FAILED, reported.Error()
	}
	if w.cfg.OnJobEnd != nil {
		w.cfg.OnJobEnd(room, reported)
	}
	w.mu.Lock()
	w.served++
	if status == livekit.JobStatus_JS_FAILED {
		w.failed++
	}
	w.mu.Unlock()
	_ = conn.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateJob{UpdateJob: &livekit.UpdateJobStatus{
		JobId: id, Status: status, Error: msg,
	}}})
}

// finish forgets an ended job and reports the new load.
func (w *Worker) finish(conn sender, id string) {
	w.mu.Lock()
	if j := w.jobs[id]; j != nil {
		j.cancel()
	}
	delete(w.jobs, id)
	w.mu.Unlock()
	_ = w.report(conn)
}

// waitJobs waits for every job goroutine, taking their done notices.
func (w *Worker) waitJobs() {
	done := make(chan struct{})
	go func() {
		w.jobsWG.Wait()
		close(done)
	}()
	for {
		select {
		case id := <-w.jobDone:
			w.mu.Lock()
			delete(w.jobs, id)
			w.mu.Unlock()
		case <-done:
			return
		}
	}
}
