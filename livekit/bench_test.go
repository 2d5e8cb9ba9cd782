package livekit

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// benchRooms and benchWindow size BenchmarkRooms: rooms at once, and how
// long each phase's CPU is measured.
const (
	benchRooms  = 10
	benchWindow = 5 * time.Second
)

// BenchmarkRooms measures what an agent costs per room against
// livekit-server on loopback. Each iteration joins benchRooms callers
// (the baseline: callers alone, their tracks published and subscribed
// to), measures the process's CPU for benchWindow, joins an echo agent to
// each room and measures again: the difference is the agents'. Then one
// conversation in the first room measures time to first audio (the end
// of the caller's speech to the first loud 10 ms of the answer at the
// caller; it includes the echo model's end-of-turn wait of about 1 s of
// silence) and barge-in to silence (the caller starts talking over the
// answer to the first 500 ms gap in what it hears).
//
//	cd livekit && go test -run '^$' -bench BenchmarkRooms -benchtime 1x -count 5 .
func BenchmarkRooms(b *testing.B) {
	url := serverURL(b)
	hello, interrupt := readWAV(b, "hello.wav"), readWAV(b, "interrupt.wav")
	for b.Loop() {
		ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
		names := make([]string, benchRooms)
		callers := make([]*testCaller, benchRooms)
		for i := range names {
			names[i] = roomName(b)
			callers[i] = joinCaller(b, url, names[i], "caller")
		}
		callerCPU, serverBase := measureCPU(benchWindow)

		var before runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		agents := make([]*Room, benchRooms)
		done := make(chan error, benchRooms)
		for i := range names {
			agents[i] = joinAgent(b, url, names[i], Config{})
			go func(r *Room) { done <- r.Run(ctx, echoSession(b)) }(agents[i])
		}
		for _, c := range callers {
			select {
			case <-c.subd:
			case <-ctx.Done():
				b.Fatal("an agent did not subscribe")
			}
		}
		agentCPU, serverAgents := measureCPU(benchWindow)
		var after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&after)

		c := callers[0]
		speech := time.Duration(len(hello)) * time.Second / callerRate
		tSay := time.Now()
		c.say(b, hello)
		c.say(b, silence(time.Second))
		require.NoError(b, c.waitFor(ctx, func(c *testCaller) bool { return len(c.loudAt) >= 30 }))
		c.mu.Lock()
		first := c.loudAt[0]
		c.mu.Unlock()
		t0 := time.Now()
		c.say(b, interrupt)
		var gapAt time.Time
		require.NoError(b, c.waitFor(ctx, func(c *testCaller) bool {
			var ok bool
			gapAt, ok = firstGap(c.loudAt, t0, 500*time.Millisecond)
			return ok
		}))

		for _, c := range callers {
			c.leave()
		}
		for range agents {
			require.NoError(b, <-done)
		}
		for _, a := range agents {
			a.Close()
		}
		cancel()

		perRoomSec := func(cpu time.Duration) float64 {
			return float64(cpu.Milliseconds()) / benchRooms / benchWindow.Seconds()
		}
		b.ReportMetric(perRoomSec(callerCPU), "caller-cpu-ms/room-s")
		b.ReportMetric(perRoomSec(agentCPU-callerCPU), "agent-cpu-ms/room-s")
		b.ReportMetric(perRoomSec(serverAgents-serverBase), "server-cpu-ms/room-s")
		b.ReportMetric(float64(int64(after.HeapInuse)-int64(before.HeapInuse))/benchRooms/1024, "agent-heap-KiB/room")
		b.ReportMetric(float64(first.Sub(tSay.Add(speech)).Milliseconds()), "first-audio-ms")
		b.ReportMetric(float64(gapAt.Sub(t0).Milliseconds()), "bargein-ms")
	}
}

// measureCPU returns the CPU time this process and livekit-server (its
// pid in /tmp/fullduplex-livekit/pid, 0 when unknown) use over d.
func measureCPU(d time.Duration) (self, server time.Duration) {
	s0, v0 := selfCPU(), serverCPU()
	time.Sleep(d) // the measurement window itself, not synchronisation
	return selfCPU() - s0, serverCPU() - v0
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// serverCPU is livekit-server's CPU time so far (procCPU); 0 when its pid
// file cannot be read.
func serverCPU() time.Duration {
	b, err := os.ReadFile("/tmp/fullduplex-livekit/pid")
	if err != nil {
		return 0
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0
	}
	return procCPU(pid)
}
