package scripttest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/scripttest"
)

// A Sink's waits see what another goroutine writes, and its Flush costs
// FlushCost on its clock.
func TestSinkWaitsAndFlushCost(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	c := scripttest.NewClock(t0)
	s := &scripttest.Sink{Clock: c, FlushCost: 30 * time.Millisecond}
	go func() {
		_ = s.Write(context.Background(), fd.TextSymbol("a"))
		_ = s.Write(context.Background(), scripttest.Event(fd.EventStreamEnd, nil, t0))
	}()
	ev, n := s.WaitEvent(t, 0, fd.EventStreamEnd)
	assert.Equal(t, 2, n)
	assert.Equal(t, t0, ev.Timestamp)
	s.Flush()
	assert.Equal(t, t0.Add(30*time.Millisecond), c.Now())
}
