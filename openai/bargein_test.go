package openai_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

func chunks(n, ms int) [][]byte {
	var out [][]byte
	for range n {
		out = append(out, openaitest.Tone(300, 24000, ms))
	}
	return out
}

// truncation returns the audio_end_ms of the one truncate the server got.
func truncation(t *testing.T, c *openaitest.Conn) int {
	t.Helper()
	ev, err := c.WaitFor(testCtx(t), openaitest.IsType("conversation.item.truncate"))
	require.NoError(t, err)
	ms, ok := ev.AudioEndMS()
	require.True(t, ok)
	return ms
}

// noServerErrors checks that the server refused nothing: an error event
// would have come back as an EventError.
func noServerErrors(t *testing.T, items []fd.StreamItem) {
	t.Helper()
	assert.Empty(t, events(items, fd.EventError))
}

// The server hears the user (speech_started) while an answer plays: the
// answer is cut (EventInterrupt, Reason turn_detected, after its usage),
// and without a PlaybackReporter it is truncated to the audio received.
func TestServerBargeInTruncatesToReceived(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(5, 100), Text: []string{"a ", "long ", "answer"}, BargeIn: true})
	st, conn := open(t, srv, openai.Config{})
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q")))
	items := untilTerminator(t, st)
	end := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.EventInterrupt, end.Type)
	assert.Equal(t, fd.TurnEnd{Turn: 1, Reason: "turn_detected"}, end.Data)
	assert.Equal(t, fd.EventUsage, items[len(items)-2].(fd.StreamEvent).Type)
	assert.Equal(t, 100, truncation(t, conn), "the one chunk received")
	assert.Empty(t, eventsOf(conn, "response.cancel"), "the service cancels by itself")
	// The truncation is accepted: the next turn comes with no error before it.
	require.NoError(t, st.Send(testCtx(t), fd.TextSymbol("q2")))
	noServerErrors(t, untilTerminator(t, st))
}

// A client interrupt at a known play position: response.cancel, and a
// truncate at exactly what the speaker played.
func TestClientInterruptTruncatesToPlayed(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(3, 100), Text: []string{"x", "y", "z"}, Hang: true})
	srv.Script(openaitest.Reply{Audio: chunks(4, 100), Text: []string{"a", "b", "c", "d"}, Pace: 5 * time.Millisecond})
	st, conn := open(t, srv, openai.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	ctx := testCtx(t)

	// A turn that hangs after its first 100 ms: played 60 ms of it.
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	waitAudio(t, st)
	speaker.SetPlayed(1, 60*time.Millisecond)
	require.NoError(t, st.InterruptOutput(ctx))
	items := untilTerminator(t, st)
	assert.Equal(t, fd.EventInterrupt, items[len(items)-1].(fd.StreamEvent).Type)
	assert.Equal(t, 60, truncation(t, conn))
	require.Len(t, eventsOf(conn, "response.cancel"), 1)
	noServerErrors(t, items)
}

// A play position past the audio received is clamped to it: the service
// refuses an audio_end_ms past the end.
func TestTruncationIsClamped(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(3, 100), Text: []string{"x"}, Hang: true})
	st, conn := open(t, srv, openai.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	waitAudio(t, st)
	speaker.SetPlayed(1, 10*time.Second)
	require.NoError(t, st.InterruptOutput(ctx))
	items := untilTerminator(t, st)
	assert.Equal(t, 100, truncation(t, conn), "clamped to the 100 ms received")
	noServerErrors(t, items)
}

// The service ended the answer, but the speaker is still playing it when
// the user speaks: the unheard rest is truncated (the turn has ended
// already, so no second terminator).
func TestSpeechAfterTheAnswerEndedTruncatesTheUnheard(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(3, 100), Text: []string{"done"}})
	st, conn := open(t, srv, openai.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	ctx := testCtx(t)
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q")))
	items := untilTerminator(t, st)
	assert.Equal(t, fd.EventStreamEnd, items[len(items)-1].(fd.StreamEvent).Type)
	speaker.SetPlayed(1, 120*time.Millisecond)
	require.NoError(t, conn.Push(map[string]any{"type": "input_audio_buffer.speech_started", "audio_start_ms": 1000, "item_id": "item_u"}))
	assert.Equal(t, 120, truncation(t, conn))
	var it fd.StreamItem
	for {
		var err error
		it, err = st.Receive(ctx)
		require.NoError(t, err)
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventMetadata {
			if _, ok := ev.Data.(openai.SpeechStarted); ok {
				break
			}
		}
		ev, _ := it.(fd.StreamEvent)
		assert.NotEqual(t, fd.EventInterrupt, ev.Type)
	}
	// Played in full: nothing to truncate.
	speaker.SetPlayed(1, 300*time.Millisecond)
	require.NoError(t, st.InterruptOutput(ctx))
	require.NoError(t, st.Send(ctx, fd.TextSymbol("q2")))
	untilTerminator(t, st)
	assert.Len(t, eventsOf(conn, "conversation.item.truncate"), 1)
}

// Through a DuplexSession: the session hands its sink's reporter over, and
// its Interrupt reaches the stream; the speaker's play position becomes
// audio_end_ms.
func TestSessionInterruptUsesTheSpeaker(t *testing.T) {
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: chunks(3, 100), Text: []string{"x"}, Hang: true})
	cfg := openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()}
	st := openai.NewStream(cfg)
	defer st.Close()
	session := fd.NewDuplexSession(st)
	session.MaxTurns = 1
	speaker := &playingSpeaker{onAudio: func(s *playingSpeaker) {
		s.SetPlayed(1, 40*time.Millisecond)
		session.Interrupt()
	}}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src := fullduplextest.SliceSource(fd.TextSymbol("q"))
	require.NoError(t, session.RunDuplex(ctx, fd.MergeSources(src, blockUntil(ctx)), speaker))
	conn, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	assert.Equal(t, 40, truncation(t, conn))
	assert.Contains(t, speaker.Events(), fd.EventInterrupt)
}

// playingSpeaker is a FakeSpeaker that calls onAudio at its first audio.
type playingSpeaker struct {
	fullduplextest.FakeSpeaker
	onAudio func(*playingSpeaker)
	done    bool
}

func (p *playingSpeaker) Write(ctx context.Context, it fd.StreamItem) error {
	if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio && !p.done {
		p.done = true
		defer p.onAudio(p)
	}
	return p.FakeSpeaker.Write(ctx, it)
}

// blockUntil is a Source that yields nothing until ctx ends (input stays open).
func blockUntil(ctx context.Context) fd.Source {
	return fd.SourceFunc(func(c context.Context) (fd.Symbol, error) {
		<-c.Done()
		return fd.Symbol{}, c.Err()
	})
}

func waitAudio(t *testing.T, st fd.DuplexStream) {
	t.Helper()
	ctx := testCtx(t)
	for {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityAudio {
			return
		}
	}
}
