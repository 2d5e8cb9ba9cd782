package downlink

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// After the end, the items still queued come first, then the end's error;
// after Close, ErrClosed; a cancelled ctx abandons only that call.
func TestReceive(t *testing.T) {
	items := make(chan fullduplex.StreamItem, 2)
	closed, ended := make(chan struct{}), make(chan struct{})
	end := func() error { return io.EOF }
	items <- fullduplex.TextSymbol("left")
	close(ended)
	if it, err := Receive(context.Background(), items, closed, ended, end); err != nil || it == nil {
		t.Fatalf("queued item after the end: %v, %v", it, err)
	}
	if _, err := Receive(context.Background(), items, closed, ended, end); !errors.Is(err, io.EOF) {
		t.Fatalf("after the items: %v, want io.EOF", err)
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Receive(cancelled, items, closed, ended, end); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled ctx: %v", err)
	}
	close(closed)
	open := make(chan struct{})
	if _, err := Receive(context.Background(), items, closed, open, end); !errors.Is(err, fullduplex.ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
	if !IsDone(closed) || IsDone(open) {
		t.Fatal("IsDone")
	}
}

// WaitAtMost returns once the group is done, or at the bound when it is not.
func TestWaitAtMost(t *testing.T) {
	var wg sync.WaitGroup
	WaitAtMost(&wg, time.Hour) // an empty group: at once, or the test times out
	release := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		<-release
	}()
	WaitAtMost(&wg, time.Millisecond) // a stuck goroutine: it gives up
	close(release)
	wg.Wait()
}

// Items from two producers arrive in the order each produced them, each
// producer's batch whole; after done, End reports false and drops the rest.
func TestOutletKeepsBatchesWhole(t *testing.T) {
	items := make(chan fullduplex.StreamItem, 1)
	done := make(chan struct{})
	o := NewOutlet(items, done)
	var wg sync.WaitGroup
	for p := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				buf := o.Begin()
				for k := range 3 {
					buf = append(buf, fullduplex.NewEvent(fullduplex.EventMetadata, [2]int{p, k}))
				}
				if !o.End(buf) {
					t.Error("End failed before done")
				}
			}
		}()
	}
	for range 100 {
		var first [2]int
		for k := range 3 {
			ev := (<-items).(fullduplex.StreamEvent)
			d := ev.Data.([2]int)
			if k == 0 {
				first = d
			}
			if d[0] != first[0] || d[1] != k {
				t.Fatalf("batch interleaved: %v after %v", d, first)
			}
		}
	}
	wg.Wait()
	if !o.Push(fullduplex.TextSymbol("room for one")) {
		t.Fatal("Push with room")
	}
	close(done)
	if o.Push(fullduplex.TextSymbol("no room")) {
		t.Fatal("Push after done reported true")
	}
}
