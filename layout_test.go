package fullduplex

import (
	"testing"
	"unsafe"
)

// The delivering goroutine and the send path each write their own fields of
// DuplexSession on every symbol; fields written by one and read or written
// by the other per symbol must be a cache line (64 bytes) apart, or the two
// goroutines bounce the line between cores on every chunk (BENCHMARKS.md,
// issue 8 §6).
func TestHotFieldsOnSeparateCacheLines(t *testing.T) {
	var s DuplexSession
	out := unsafe.Offsetof(s.out)
	// Written by the delivering goroutine on every delivery: from the
	// outlet's mu to its end.
	deliverFrom := out + unsafe.Offsetof(s.out.mu)
	deliverTo := out + unsafe.Sizeof(s.out)
	// Read on every delivery or send, written only by Interrupt, Reset and
	// start: the outlet's atomics, up to and including forward.
	sharedTo := out + unsafe.Offsetof(s.out.forward) + unsafe.Sizeof(s.out.forward)
	// Written by the send path on every send.
	send := unsafe.Offsetof(s.sendMu)
	if gap := deliverFrom - sharedTo; deliverFrom < sharedTo || gap < 64 {
		t.Errorf("outlet: %d bytes between the shared atomics (end %d) and the delivering goroutine's fields (start %d), want >= 64", int(deliverFrom)-int(sharedTo), sharedTo, deliverFrom)
	}
	if send < deliverTo || send-deliverTo < 64 {
		t.Errorf("%d bytes between the outlet's end (%d) and sendMu (%d), want >= 64", int(send)-int(deliverTo), deliverTo, send)
	}
}
