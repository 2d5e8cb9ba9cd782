package audiotest

import (
	"bufio"
	"encoding/binary"
	"io"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A Recording captures 16-bit mono PCM at a rate from a PulseAudio source
// with parec, stamping each 10 ms block with its arrival time. Its methods
// are safe from any goroutine; it stops when the test ends.
type Recording struct {
	rate   int
	cmd    *exec.Cmd
	mu     sync.Mutex
	blocks []Block
	done   chan struct{}
}

// A Block is 10 ms of a Recording, stamped with the time it arrived.
type Block struct {
	At      time.Time
	Samples []int16
}

// Record starts recording source (e.g. "speaker.monitor") at rate.
func Record(tb testing.TB, source string, rate int) *Recording {
	tb.Helper()
	cmd := exec.Command("parec", "--raw", "--format=s16le", "--channels=1",
		"--rate="+strconv.Itoa(rate), "--device="+source, "--latency-msec=10")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("audiotest: parec: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("audiotest: parec: %v", err)
	}
	r := &Recording{rate: rate, cmd: cmd, done: make(chan struct{})}
	go r.read(out) // ends when parec does: Stop, or the test's cleanup
	tb.Cleanup(r.Stop)
	return r
}

func (r *Recording) read(out io.Reader) {
	defer close(r.done)
	br := bufio.NewReaderSize(out, 4096)
	buf := make([]byte, r.rate/100*2) // 10 ms
	for {
		n, err := io.ReadFull(br, buf)
		if n >= 2 {
			s := make([]int16, n/2)
			for i := range s {
				s[i] = int16(binary.LittleEndian.Uint16(buf[2*i:]))
			}
			r.mu.Lock()
			r.blocks = append(r.blocks, Block{time.Now(), s})
			r.mu.Unlock()
		}
		if err != nil {
			return
		}
	}
}

// Rate returns the recording's sample rate.
func (r *Recording) Rate() int { return r.rate }

// Stop ends parec and waits for the reader. It is idempotent.
func (r *Recording) Stop() {
	if r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
	}
	<-r.done
	_ = r.cmd.Wait()
}

// Samples returns everything recorded so far.
func (r *Recording) Samples() []int16 { return r.Since(time.Time{}) }

// Since returns the samples of the blocks that arrived after t.
func (r *Recording) Since(t time.Time) []int16 {
	var s []int16
	for _, b := range r.Blocks(t) {
		s = append(s, b.Samples...)
	}
	return s
}

// Blocks returns the blocks that arrived after t.
func (r *Recording) Blocks(t time.Time) []Block {
	r.mu.Lock()
	defer r.mu.Unlock()
	var bs []Block
	for _, b := range r.blocks {
		if b.At.After(t) {
			bs = append(bs, b)
		}
	}
	return bs
}
