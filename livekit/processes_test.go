package livekit

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// buildAgent builds examples/livekit-agent (without -race: its CPU is
// what a deployment's is) into a temporary directory.
func buildAgent(t testing.TB) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	bin := filepath.Join(t.TempDir(), "livekit-agent")
	out, err := exec.Command(goBin, "build", "-o", bin, "./examples/livekit-agent").CombinedOutput()
	require.NoError(t, err, "go build ./examples/livekit-agent: %s", out)
	return bin
}

// A lineLog is a child process's stderr: written by exec's copying
// goroutine, read by the test.
type lineLog struct {
	mu      sync.Mutex
	b       bytes.Buffer
	changed chan struct{}
}

func (l *lineLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	select {
	case l.changed <- struct{}{}:
	default:
	}
	return l.b.Write(p)
}

func (l *lineLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// rooms returns the rooms named in the log's lines that start with prefix
// (`joined room "NAME"`).
func (l *lineLog) rooms(prefix string) []string {
	var rs []string
	for _, line := range strings.Split(l.String(), "\n") {
		if rest, ok := strings.CutPrefix(line, prefix+" "); ok {
			if name, err := strconv.QuotedPrefix(rest); err == nil {
				n, _ := strconv.Unquote(name)
				rs = append(rs, n)
			}
		}
	}
	return rs
}

// about returns what the worker processes wrote about room, each line
// prefixed with its process's name ("none" when they wrote nothing).
func about(room string, procs []*agentProcess) string {
	var b strings.Builder
	for _, p := range procs {
		for _, line := range strings.Split(p.log.String(), "\n") {
			if strings.Contains(line, strconv.Quote(room)) {
				fmt.Fprintf(&b, "  %s: %s\n", p.name, line)
			}
		}
	}
	if b.Len() == 0 {
		return "  none"
	}
	return b.String()
}

// An agentProcess is examples/livekit-agent running as its own OS
// process, a worker of its own registered with the server.
type agentProcess struct {
	name string
	cmd  *exec.Cmd
	log  *lineLog
	done chan struct{} // closed once the process has exited and been reaped
	err  error         // Wait's result, set before done is closed
}

// startAgentProcess starts bin as a worker for agent; the process is
// killed and reaped when the test ends, whatever happened.
func startAgentProcess(t testing.TB, bin, name, url, agent string, maxJobs int) *agentProcess {
	t.Helper()
	p := &agentProcess{name: name, log: &lineLog{changed: make(chan struct{}, 1)}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, "-offline", "-url", url, "-agent-name", agent, "-max-jobs", strconv.Itoa(maxJobs))
	p.cmd.Stdout, p.cmd.Stderr = p.log, p.log
	// Killed with the test binary, too, should it die without cleanups.
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	require.NoError(t, p.cmd.Start())
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

func (p *agentProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// waitLog waits until the process's output contains sub.
func (p *agentProcess) waitLog(ctx context.Context, sub string) error {
	for !strings.Contains(p.log.String(), sub) {
		select {
		case <-ctx.Done():
			return fmt.Errorf("worker %s: no %q: %w; its output:\n%s", p.name, sub, ctx.Err(), p.log.String())
		case <-p.done:
			if !strings.Contains(p.log.String(), sub) {
				return fmt.Errorf("worker %s exited (%v) before %q; its output:\n%s", p.name, p.err, sub, p.log.String())
			}
		case <-p.log.changed:
		}
	}
	return nil
}

// cpu returns the process's CPU time so far (utime+stime from /proc).
func (p *agentProcess) cpu() time.Duration { return procCPU(p.cmd.Process.Pid) }

// TestWorkerProcesses: two worker processes (examples/livekit-agent,
// offline echo) registered with the same server serve 20 rooms, each
// with a caller in this process that talks and hears the answer: each room
// gets exactly one agent, the rooms are spread over both processes. Then
// one process gets SIGTERM mid-run: it takes no new room (the next 3 all
// go to the other), every conversation it serves goes on (each of its
// callers talks again and is answered), and it exits cleanly only after
// its callers have left.
func TestWorkerProcesses(t *testing.T) {
	url := serverURL(t)
	bin := buildAgent(t)
	agent := agentName(t)
	const rooms, later = 20, 3
	procs := []*agentProcess{
		startAgentProcess(t, bin, "A", url, agent, rooms+later),
		startAgentProcess(t, bin, "B", url, agent, rooms+later),
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Second)
	defer cancel()
	for _, p := range procs {
		require.NoError(t, p.waitLog(ctx, "Registered as worker"))
	}
	hello := readWAV(t, "hello.wav")
	speech := time.Duration(len(hello)) * time.Second / callerRate

	type conv struct {
		room           string
		c              *testCaller
		joinAt, sayAt  time.Time
		firstAnswerLen int // loud blocks heard by the end of the first turn
	}
	join := func(i int) *conv {
		cv := &conv{room: fmt.Sprintf("%s-%d", roomName(t), i), joinAt: time.Now()}
		// The caller's token dispatches the agent when it creates the room.
		cv.c = joinCallerWith(t, url, cv.room, "caller", agent)
		t.Cleanup(cv.c.leave)
		return cv
	}
	talk := func(cv *conv) {
		cv.sayAt = time.Now()
		cv.c.say(t, hello)
		cv.c.say(t, silence(time.Second))
	}
	// Each caller talks as soon as its agent listens, as a person would.
	talked := make(chan error, rooms+later)
	talkWhenHeard := func(cv *conv) {
		go func() {
			select {
			case <-cv.c.subd:
			case <-ctx.Done():
				talked <- fmt.Errorf("room %s: the agent never subscribed to the caller; the workers on it:\n%s",
					cv.room, about(cv.room, procs))
				return
			}
			cv.sayAt = time.Now()
			err := cv.c.track.WriteSample(hello)
			if err == nil {
				err = cv.c.track.WriteSample(silence(time.Second))
			}
			talked <- err
		}()
	}
	convs := make([]*conv, rooms)
	for i := range convs {
		convs[i] = join(i)
		talkWhenHeard(convs[i])
	}
	for range convs {
		require.NoError(t, <-talked)
	}
	// CPU is measured while all 20 rooms are live: from every agent
	// listening to every caller having heard its answer.
	cpu0 := []time.Duration{procs[0].cpu(), procs[1].cpu()}
	self0 := selfCPU()
	t0 := time.Now()
	// Every conversation, end to end: the caller hears the echo.
	for _, cv := range convs {
		require.NoError(t, cv.c.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 100 }),
			"room %s: the caller hears the answer; A:\n%s\nB:\n%s", cv.room, procs[0].log, procs[1].log)
	}
	window := time.Since(t0)
	cpu1 := []time.Duration{procs[0].cpu(), procs[1].cpu()}
	callersCPU := selfCPU() - self0

	// Exactly one agent per room, and which process it is.
	key, secret := Keys()
	rs := lksdk.NewRoomServiceClient(url, key, secret)
	for _, cv := range convs {
		res, err := rs.ListParticipants(ctx, &livekit.ListParticipantsRequest{Room: cv.room})
		require.NoError(t, err)
		agents := 0
		for _, p := range res.Participants {
			if p.Kind == livekit.ParticipantInfo_AGENT {
				agents++
			}
		}
		assert.Equal(t, 1, agents, "room %s has exactly one agent", cv.room)
	}
	joined := [][]string{procs[0].log.rooms("joined room"), procs[1].log.rooms("joined room")}
	for _, cv := range convs {
		in := 0
		for _, rs := range joined {
			if slices.Contains(rs, cv.room) {
				in++
			}
		}
		assert.Equal(t, 1, in, "room %s is served by exactly one process", cv.room)
	}
	require.Len(t, append(slices.Clone(joined[0]), joined[1]...), rooms, "one job per room")
	require.NotEmpty(t, joined[0], "process A got rooms")
	require.NotEmpty(t, joined[1], "process B got rooms")

	var listen, first, answer []time.Duration
	for _, cv := range convs {
		cv.c.mu.Lock()
		listen = append(listen, cv.c.subdAt.Sub(cv.joinAt))
		first = append(first, cv.c.loudAt[0].Sub(cv.joinAt))
		answer = append(answer, cv.c.loudAt[0].Sub(cv.sayAt.Add(speech)))
		cv.firstAnswerLen = len(cv.c.loudAt)
		cv.c.mu.Unlock()
	}
	t.Logf("rooms per worker process: A %d, B %d", len(joined[0]), len(joined[1]))
	for i, p := range procs {
		n := len(joined[i])
		t.Logf("worker %s: CPU %v over %v with %d rooms: %.1f ms per room-second", p.name,
			(cpu1[i] - cpu0[i]).Round(time.Millisecond), window.Round(time.Millisecond), n,
			float64((cpu1[i]-cpu0[i]).Milliseconds())/float64(n)/window.Seconds())
	}
	// The baseline: this process, its 20 callers (the SDK's own client,
	// doing the same Opus work each way), over the same window.
	t.Logf("baseline: this process's %d callers: CPU %v, %.1f ms per caller-second", rooms,
		callersCPU.Round(time.Millisecond), float64(callersCPU.Milliseconds())/rooms/window.Seconds())
	t.Logf("medians over %d rooms: join to agent listening %v, join to first answer audio %v (includes the %v utterance and the echo's end-of-turn wait), end of speech to first answer audio %v",
		rooms, median(listen), median(first), speech.Round(time.Millisecond), median(answer))

	// SIGTERM to A mid-run: it drains.
	a, b := procs[0], procs[1]
	require.NoError(t, a.cmd.Process.Signal(syscall.SIGTERM))
	var aConvs, bConvs []*conv
	for _, cv := range convs {
		if slices.Contains(joined[0], cv.room) {
			aConvs = append(aConvs, cv)
		} else {
			bConvs = append(bConvs, cv)
		}
	}
	// New rooms all go to B (A reports itself full once it has the
	// signal; a room dispatched before that could still reach it, so
	// the new rooms wait until A has said it drains).
	require.NoError(t, a.waitLog(ctx, "Draining:"))
	for i := rooms; i < rooms+later; i++ {
		cv := join(i)
		bConvs = append(bConvs, cv)
		talkWhenHeard(cv)
	}
	for range later {
		require.NoError(t, <-talked)
	}
	for _, cv := range bConvs[len(bConvs)-later:] {
		require.NoError(t, cv.c.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 100 }),
			"room %s (after the drain): the caller hears the answer; B:\n%s", cv.room, b.log)
		assert.Contains(t, b.log.rooms("joined room"), cv.room, "a room dispatched after the drain goes to B")
	}
	assert.ElementsMatch(t, joined[0], a.log.rooms("joined room"), "the draining process takes no new room")
	// Every conversation A serves goes on.
	for _, cv := range aConvs {
		talk(cv)
	}
	for _, cv := range aConvs {
		require.NoError(t, cv.c.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= cv.firstAnswerLen+100 }),
			"room %s: a conversation on the draining process goes on; A:\n%s", cv.room, a.log)
	}
	require.False(t, a.exited(), "the draining process left with conversations in progress:\n%s", a.log)
	assert.Empty(t, a.log.rooms("left room"), "no room on the draining process ended before its caller left")

	// A's callers leave: A's jobs end and it exits cleanly.
	for _, cv := range aConvs {
		cv.c.leave()
	}
	select {
	case <-a.done:
	case <-ctx.Done():
		t.Fatalf("the drained process did not exit after its callers left:\n%s", a.log)
	}
	require.NoError(t, a.err, "the drained process exits cleanly:\n%s", a.log)
	assert.ElementsMatch(t, joined[0], a.log.rooms("left room"), "every room A served ended")
	assert.NotContains(t, a.log.String(), `": `, "no room on A ended with an error:\n%s", a.log)

	// Then B drains the same way.
	require.NoError(t, b.cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, b.waitLog(ctx, "Draining:"))
	require.False(t, b.exited())
	for _, cv := range bConvs {
		cv.c.leave()
	}
	select {
	case <-b.done:
	case <-ctx.Done():
		t.Fatalf("process B did not exit after its callers left:\n%s", b.log)
	}
	require.NoError(t, b.err, "process B exits cleanly:\n%s", b.log)
	assert.Len(t, b.log.rooms("left room"), len(bConvs))
	assert.NotContains(t, b.log.String(), `": `, "no room on B ended with an error:\n%s", b.log)
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2].Round(time.Millisecond)
}

// procCPU reads a process's utime+stime from /proc (clock ticks of 10 ms
// on Linux); 0 when it cannot.
func procCPU(pid int) time.Duration {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	s := string(stat)
	end := strings.LastIndexByte(s, ')') // the command name may hold spaces
	if end < 0 || end+2 > len(s) {
		return 0
	}
	f := strings.Fields(s[end+2:])
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	k, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+k) * 10 * time.Millisecond
}
