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
)

// A Handler serves one room: typically it makes a DuplexStream and a
// DuplexSession and calls room.Run. ctx is cancelled when the server
// terminates the job or the worker's Run is cancelled; the Worker closes
// the Room after the Handler returns. An error marks the job failed.
type Handler func(ctx context.Context, room *Room) error

// A Worker registers with a LiveKit server for agent dispatch and serves
// one Room per job it accepts, up to WorkerConfig.MaxJobs at once, each
// with the Handler on its own goroutine. Drain (or SIGTERM) makes it take no
// new jobs, finish the ones it has, and leave.
//
// Run is called once; Drain, Load and ID are safe from any goroutine.
type Worker struct {
	cfg    WorkerConfig
	handle Handler

	drain     chan struct{}
	drainOnce sync.Once
	jobDone   chan string // a job's ID, when its Handler has returned and the Room closed
	jobsWG    sync.WaitGroup

	mu       sync.Mutex // guards the fields below
	id       string
	jobs     map[string]*job
	reserved map[string]time.Time // jobs accepted, not yet assigned
	draining bool
	served   int64
	failed   int64
	regd     chan struct{} // closed once registered
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
	}
}

// Load describes a Worker's jobs.
type Load struct {
	Jobs     int   // rooms being served now
	MaxJobs  int   // WorkerConfig.MaxJobs
	Served   int64 // jobs finished, successfully or not
	Failed   int64 // jobs whose Handler (or joining) failed
	Draining bool  // taking no new jobs
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
	return Load{Jobs: len(w.jobs), MaxJobs: w.cfg.MaxJobs, Served: w.served, Failed: w.failed, Draining: w.draining}
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

// Drain makes the worker take no new jobs (it reports itself full and
// declines offers) and Run return nil once its jobs have ended. It is
// idempotent.
func (w *Worker) Drain() { w.drainOnce.Do(func() { close(w.drain) }) }

// Run registers the worker and serves jobs until it has drained (nil), ctx
// is done (ctx's error; every job's ctx is cancelled and Run waits for its
// Handler), or the connection to the server fails (the error, after the
// running jobs end on their own: a room does not need the worker's
// connection). Every goroutine Run started has finished when it returns.
func (w *Worker) Run(ctx context.Context) error {
	conn, reg, err := dialWorker(ctx, w.cfg)
	if err != nil {
		return err
	}
	defer conn.close()
	w.mu.Lock()
	w.id = reg.WorkerId
	w.mu.Unlock()
	close(w.regd)

	sigs := make(chan os.Signal, 1)
	if len(w.cfg.DrainOn) > 0 {
		signal.Notify(sigs, w.cfg.DrainOn...)
		defer signal.Stop(sigs)
	}

	msgs := make(chan *livekit.ServerMessage)
	readErr := make(chan error, 1)
	quit := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m, err := conn.read()
			if err != nil {
				readErr <- err
				return
			}
			select {
			case msgs <- m:
			case <-quit:
				return
			}
		}
	}()
	jobCtx, cancelJobs := context.WithCancel(context.WithoutCancel(ctx))
	defer func() {
		cancelJobs()
		close(quit)
		conn.close()
		w.waitJobs()
		wg.Wait()
	}()

	if err := w.report(conn); err != nil {
		return err
	}
	var connErr error
	for {
		if w.drained() || (connErr != nil && w.Load().Jobs == 0) {
			if connErr != nil {
				return fmt.Errorf("livekit: worker: connection lost: %w", connErr)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-sigs:
			w.Drain()
		case <-w.drain:
			w.startDrain(conn)
		case err := <-readErr:
			// Take no new jobs; those running end on their own.
			connErr = err
			w.startDrain(nil)
		case id := <-w.jobDone:
			w.finish(conn, id)
		case m := <-msgs:
			w.handleMessage(jobCtx, conn, m)
		}
	}
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
	if !already && conn != nil {
		_ = w.report(conn)
	}
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
		err := w.serve(jctx, conn, id, url, a.GetToken())
		status, msg := livekit.JobStatus_JS_SUCCESS, ""
		if err != nil && !errors.Is(err, context.Canceled) {
			status, msg = livekit.JobStatus_JS_FAILED, redact.String(err.Error(), a.GetToken())
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
		w.jobDone <- id
	}()
}

// serve joins the job's room and runs the Handler in it.
func (w *Worker) serve(ctx context.Context, conn sender, id, url, token string) error {
	cfg := w.cfg.Room
	cfg.URL, cfg.Token = url, token
	room, err := Join(ctx, cfg)
	if err != nil {
		return err
	}
	defer room.Close()
	_ = conn.send(&livekit.WorkerMessage{Message: &livekit.WorkerMessage_UpdateJob{UpdateJob: &livekit.UpdateJobStatus{
		JobId: id, Status: livekit.JobStatus_JS_RUNNING,
	}}})
	return w.handle(ctx, room)
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
