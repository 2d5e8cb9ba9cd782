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
	diff   bool // stereo, kept as left less right
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
	return record(tb, source, rate, false)
}

// RecordDifference records source in stereo and keeps the left channel
// less the right: what was played into the sink on one side only (a
// program's output, which the rig's echo loop copies to both, cancels).
// A test plays the user's voice louder on the left to find its onset in a
// microphone that hears the speaker too.
func RecordDifference(tb testing.TB, source string, rate int) *Recording {
	tb.Helper()
	return record(tb, source, rate, true)
}

func record(tb testing.TB, source string, rate int, diff bool) *Recording {
	tb.Helper()
	channels := "1"
	if diff {
		channels = "2"
	}
	cmd := exec.Command("parec", "--raw", "--format=s16le", "--channels="+channels,
		"--rate="+strconv.Itoa(rate), "--device="+source, "--latency-msec=10")
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatalf("audiotest: parec: %v", err)
	}
	if err := cmd.Start(); err != nil {
		tb.Fatalf("audiotest: parec: %v", err)
	}
	r := &Recording{rate: rate, diff: diff, cmd: cmd, done: make(chan struct{})}
	go r.read(out) // ends when parec does: Stop, or the test's cleanup
	tb.Cleanup(r.Stop)
	return r
}

func (r *Recording) read(out io.Reader) {
	defer close(r.done)
	br := bufio.NewReaderSize(out, 4096)
	frame := 2
	if r.diff {
		frame = 4
	}
	buf := make([]byte, r.rate/100*frame) // 10 ms
	for {
		n, err := io.ReadFull(br, buf)
		if n >= frame {
			s := make([]int16, n/frame)
			for i := range s {
				v := int32(int16(binary.LittleEndian.Uint16(buf[frame*i:])))
				if r.diff {
					v -= int32(int16(binary.LittleEndian.Uint16(buf[frame*i+2:])))
				}
				s[i] = int16(max(-32768, min(32767, v)))
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
