package fullduplex_test

import (
	"context"
	"errors"
	"io"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

func connectedFake(t *testing.T) *fullduplextest.FakeStream {
	t.Helper()
	fs := fullduplextest.NewFakeStream()
	require.NoError(t, fs.Connect(context.Background()))
	t.Cleanup(func() { _ = fs.Close() })
	return fs
}

func TestItemsStopsAtEOF(t *testing.T) {
	fs := connectedFake(t)
	fs.EmitText("a")
	fs.EmitEvent(fd.EventStreamEnd, nil)
	fs.End()
	var got []fd.StreamItem
	for item, err := range fd.Items(context.Background(), fs) {
		require.NoError(t, err)
		got = append(got, item)
	}
	require.Len(t, got, 2)
	assert.IsType(t, fd.Symbol{}, got[0])
	assert.Equal(t, fd.EventStreamEnd, got[1].(fd.StreamEvent).Type)
}

func TestItemsYieldsErrorOnce(t *testing.T) {
	fs := connectedFake(t)
	boom := errors.New("boom")
	fs.EmitText("a")
	fs.Fail(boom)
	var errs, items int
	for item, err := range fd.Items(context.Background(), fs) {
		if err != nil {
			errs++
			require.ErrorIs(t, err, boom)
			continue
		}
		assert.NotNil(t, item)
		items++
	}
	assert.Equal(t, 1, items)
	assert.Equal(t, 1, errs)
}

func TestItemsEarlyBreak(t *testing.T) {
	fs := connectedFake(t)
	fs.EmitText("a")
	fs.EmitText("b")
	for range fd.Items(context.Background(), fs) {
		break
	}
	item, err := fs.Receive(context.Background())
	require.NoError(t, err)
	v, _ := item.(fd.Symbol).TextValue()
	assert.Equal(t, "b", v, "breaking out of Items must not consume more")
}

func TestMultiSinkWritesAllAndJoinsErrors(t *testing.T) {
	var a, b fullduplextest.Recorder
	boom := errors.New("boom")
	failing := fd.SinkFunc(func(context.Context, fd.StreamItem) error { return boom })
	m := fd.MultiSink(&a, failing, &b)
	err := m.Write(context.Background(), fd.TextSymbol("x"))
	require.ErrorIs(t, err, boom)
	assert.Len(t, a.Items(), 1)
	assert.Len(t, b.Items(), 1, "a failing sink must not starve the others")
	m.(fd.Flusher).Flush()
	assert.Equal(t, 1, a.Flushes())
	assert.Equal(t, 1, b.Flushes())
}

func TestMergeSourcesDirectNextReadsEverySource(t *testing.T) {
	m := fd.MergeSources(
		fullduplextest.SliceSource(fd.TextSymbol("a"), fd.TextSymbol("b")),
		fullduplextest.SliceSource(),
		fullduplextest.SliceSource(fd.TextSymbol("c")),
	)
	var got []string
	for {
		s, err := m.Next(context.Background())
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
		v, _ := s.TextValue()
		got = append(got, v)
	}
	assert.ElementsMatch(t, []string{"a", "b", "c"}, got, "every symbol, once")
	assert.Less(t, slices.Index(got, "a"), slices.Index(got, "b"), "each source's order is kept")
}

// Read directly, a merged source does what RunDuplex does with it: a ready
// source is not held up by one that blocks.
func TestMergeSourcesDirectNextDoesNotWaitForABlockedSource(t *testing.T) {
	ctx := testCtx(t)
	release := make(chan struct{})
	blocked := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		select {
		case <-release:
			return fd.TextSymbol("late"), nil
		case <-ctx.Done():
			return fd.Symbol{}, ctx.Err()
		}
	})
	m := fd.MergeSources(blocked, fullduplextest.SliceSource(fd.TextSymbol("typed")))
	s, err := m.Next(ctx)
	require.NoError(t, err)
	v, _ := s.TextValue()
	assert.Equal(t, "typed", v)
	close(release)
	s, err = m.Next(ctx)
	require.NoError(t, err)
	v, _ = s.TextValue()
	assert.Equal(t, "late", v)

	boom := errors.New("boom")
	failing := fd.MergeSources(fd.SourceFunc(func(context.Context) (fd.Symbol, error) { return fd.Symbol{}, boom }))
	_, err = failing.Next(ctx)
	require.ErrorIs(t, err, boom)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	forever := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		<-ctx.Done()
		return fd.Symbol{}, ctx.Err()
	})
	_, err = fd.MergeSources(forever).Next(cancelled)
	require.ErrorIs(t, err, context.Canceled)
}
