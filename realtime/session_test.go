package realtime_test

import (
	"context"
	"io"
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A DuplexSession drives the stream end to end: the first answer is cut
// off by the session's Interrupt, the second plays out, and the session
// ends cleanly: the Source's io.EOF is CloseSend, and RunDuplex returns nil
// after the last answer.
func TestDuplexSessionEndToEnd(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("a very long ")
	st := realtime.NewStream(m, realtime.Config{})
	defer st.Close()
	session := fd.NewDuplexSession(st)

	next := make(chan struct{}, 1) // the sink lets the user speak again
	rec := &fullduplextest.Recorder{}
	sink := fd.SinkFunc(func(ctx context.Context, item fd.StreamItem) error {
		if err := rec.Write(ctx, item); err != nil {
			return err
		}
		switch it := item.(type) {
		case fd.Symbol:
			if text, _ := it.TextValue(); text == "a very long " {
				session.Interrupt() // barge-in from the application
			}
		case fd.StreamEvent:
			if it.Type == fd.EventInterrupt {
				next <- struct{}{}
			}
		}
		return nil
	})
	flushing := flushSink{Sink: sink, rec: rec}

	step := 0
	source := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		step++
		switch step {
		case 1:
			return fd.TextSymbol("hello"), nil
		case 2:
			select {
			case <-next:
			case <-ctx.Done():
				return fd.Symbol{}, ctx.Err()
			}
			return fd.TextSymbol("bye"), nil
		}
		return fd.Symbol{}, io.EOF
	})

	require.NoError(t, session.RunDuplex(ctxT(t), source, flushing))

	assert.Equal(t, []fd.EventType{fd.EventConnected, fd.EventInterrupt, fd.EventStreamEnd}, rec.Events())
	assert.Equal(t, "a very long You said: bye", rec.Text())
	assert.GreaterOrEqual(t, rec.Flushes(), 1, "the interrupt flushed the sink")
	prompts := m.Prompts()
	require.Len(t, prompts, 2)
	assert.Equal(t, []string{"user: hello", "model: a very long ", "user: bye"}, dialogue(prompts[1]))
}

// flushSink is a Sink and Flusher: Flush goes to the Recorder.
type flushSink struct {
	fd.Sink
	rec *fullduplextest.Recorder
}

func (f flushSink) Flush() { f.rec.Flush() }
