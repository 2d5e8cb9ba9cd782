package attention_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/conformance"
)

func model(text string, turn int) fd.Symbol {
	s := fd.TextSymbol(text)
	s.Metadata = map[string]any{fd.MetaRole: fd.RoleModel, fd.MetaTurn: turn}
	return s
}

func end(turn int) fd.StreamEvent { return fd.NewEvent(fd.EventStreamEnd, fd.TurnEnd{Turn: turn}) }

// scriptTable scripts fs with the conformance case's turns, from turn
// number first on.
func scriptTable(fs *fullduplextest.FakeStream, c conformance.Case, first int) {
	for n, turn := range c.Turns {
		var items []fd.StreamItem
		add := func(s fd.Symbol) {
			s.Metadata = map[string]any{fd.MetaRole: fd.RoleModel, fd.MetaTurn: first + n}
			items = append(items, s)
		}
		for range turn.Audio {
			add(fd.AudioSymbol(make([]byte, 960), 24000))
		}
		for _, text := range turn.Text {
			add(fd.TextSymbol(text))
		}
		if turn.Usage {
			items = append(items, fd.NewEvent(fd.EventUsage, fd.Usage{InputTokens: 3, OutputTokens: 5, TotalTokens: 8}))
		}
		e := fd.EventStreamEnd
		if turn.Interrupted {
			e = fd.EventInterrupt
		}
		items = append(items, fd.NewEvent(e, fd.TurnEnd{Turn: first + n}))
		fs.EmitAfterInput(items...)
	}
}

func connected(t *testing.T, cfg attention.CompositeConfig) *attention.CompositeStream {
	t.Helper()
	c, err := attention.NewComposite(cfg)
	require.NoError(t, err)
	require.NoError(t, c.Connect(t.Context()))
	return c
}

// The composite follows the turn grammar over one member, after a failover
// at Connect (the primary refuses the key), and with text routed to a
// second member.
func TestCompositeConformance(t *testing.T) {
	t.Run("one member", func(t *testing.T) {
		conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
			fs := fullduplextest.NewFakeStream()
			scriptTable(fs, c, 1)
			return connected(t, attention.CompositeConfig{Members: []attention.Member{{Name: "live", Stream: fs}}})
		}})
	})
	t.Run("failover at connect", func(t *testing.T) {
		conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
			live := fullduplextest.NewFakeStream()
			live.FailConnect(errors.New("API key not valid"))
			turn := fullduplextest.NewFakeStream()
			scriptTable(turn, c, 1)
			return connected(t, attention.CompositeConfig{
				Members:  []attention.Member{{Name: "live", Stream: live}},
				Failover: []attention.Member{{Name: "turn", Stream: turn}},
			})
		}})
	})
	t.Run("routed", func(t *testing.T) {
		conformance.Run(t, conformance.Backend{Open: func(t *testing.T, c conformance.Case) fd.DuplexStream {
			live, chat := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
			scriptTable(chat, c, 7) // its own numbering: the composite's grows anyway
			require.NoError(t, live.Connect(t.Context()))
			return connected(t, attention.CompositeConfig{
				Members: []attention.Member{{Name: "live", Stream: live}, {Name: "chat", Stream: chat}},
				Route:   map[fd.Modality]string{fd.ModalityText: "chat"},
			})
		}})
	})
}

// receiveUntil receives until pred says stop, returning everything.
func receiveUntil(t *testing.T, s fd.DuplexStream, stop func(fd.StreamItem) bool) []fd.StreamItem {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var items []fd.StreamItem
	for {
		it, err := s.Receive(ctx)
		require.NoError(t, err, "so far: %s", conformance.Describe(items))
		items = append(items, it)
		if stop(it) {
			return items
		}
	}
}

func isEvent(t fd.EventType) func(fd.StreamItem) bool {
	return func(it fd.StreamItem) bool {
		ev, ok := it.(fd.StreamEvent)
		return ok && ev.Type == t
	}
}

// A failover mid-answer: the cut turn ends with EventInterrupt, the switch
// is an EventReconnect naming both members, and the standby, given the
// transcript, answers the question that was cut off as the next turn.
func TestFailoverMidAnswer(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	live.EmitAfterInput(model("The answer ", 1), model("is", 1))
	quota := errors.New("gemini: quota exceeded")
	turn.EmitAfterInput(model("The answer is 42.", 1), fd.NewEvent(fd.EventUsage, fd.Usage{TotalTokens: 9}), end(1))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("What is the answer?")))
	_, err := live.WaitSent(ctx, 1)
	require.NoError(t, err)
	first := receiveUntil(t, c, func(it fd.StreamItem) bool {
		s, ok := it.(fd.Symbol)
		return ok && string(s.Data) == "is"
	})
	live.Fail(quota)
	rest := receiveUntil(t, c, isEvent(fd.EventStreamEnd))
	items := append(first, rest...)
	require.NoError(t, conformance.Check(conformance.Backend{NoAudio: true}, conformance.Case{Turns: []conformance.Turn{
		{Text: []string{"The answer is"}, Interrupted: true},
		{Text: []string{"The answer is 42."}, Usage: true},
	}}, items))
	var sw attention.Switch
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventReconnect {
			sw = ev.Data.(attention.Switch)
		}
	}
	assert.Equal(t, "live", sw.From)
	assert.Equal(t, "turn", sw.To)
	assert.Equal(t, attention.SwitchFailover, sw.Reason)
	assert.ErrorIs(t, sw.Err, quota)
	// The standby's turn 1 is the stream's turn 2.
	last := items[len(items)-1].(fd.StreamEvent)
	assert.Equal(t, fd.TurnEnd{Turn: 2}, last.Data)
	// The context carried over: the question and the cut answer.
	sent := turn.Sent()
	require.Len(t, sent, 1)
	seed, _ := sent[0].TextValue()
	assert.Contains(t, seed, "user: What is the answer?")
	assert.Contains(t, seed, "assistant: The answer is")
	assert.Contains(t, seed, "answer the user's last message")
	assert.True(t, live.Closed())
	// Input goes to the standby now.
	require.NoError(t, c.Send(ctx, fd.TextSymbol("thanks")))
	_, err = turn.WaitSent(ctx, 2)
	require.NoError(t, err)
}

// A failover between answers: the standby's answer to the context is not
// passed on; the next question's answer is.
func TestFailoverBetweenTurns(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	live.EmitAfterInput(model("hi", 1), end(1))
	turn.EmitAfterInput(model("OK", 1), end(1))
	turn.EmitAfterInput(model("Paris.", 2), end(2))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("hello")))
	items := receiveUntil(t, c, isEvent(fd.EventStreamEnd))
	live.Fail(errors.New("connection lost for good"))
	items = append(items, receiveUntil(t, c, isEvent(fd.EventReconnect))...)
	require.NoError(t, c.Send(ctx, fd.TextSymbol("capital of France?")))
	items = append(items, receiveUntil(t, c, isEvent(fd.EventStreamEnd))...)
	require.NoError(t, conformance.Check(conformance.Backend{NoAudio: true, NoUsage: true}, conformance.Case{Turns: []conformance.Turn{
		{Text: []string{"hi"}}, {Text: []string{"Paris."}},
	}}, items))
	seed, _ := turn.Sent()[0].TextValue()
	assert.Contains(t, seed, `say only "OK"`)
	require.NoError(t, c.CloseSend(ctx))
	_, err := c.Receive(ctx)
	assert.ErrorIs(t, err, io.EOF)
}

// With no standby left, the failure is the stream's.
func TestFailoverExhausted(t *testing.T) {
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	turn.FailConnect(errors.New("turn model down"))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	live.Fail(errors.New("live down"))
	items := receiveUntil(t, c, isEvent(fd.EventReconnect))
	assert.Len(t, items, 1)
	_, err := c.Receive(t.Context())
	assert.ErrorContains(t, err, "turn model down")
}

// Escalation: the cheap member hears everything; when its answer says it
// needs help, the answer is cut, the deep member gets the transcript and
// answers, and the floor comes back to the cheap one.
func TestEscalation(t *testing.T) {
	ctx := t.Context()
	cheap, deep := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	cheap.EmitAfterInput(model("Let me think", 1), model(" [deep]", 1), model(" more", 1), end(1))
	cheap.EmitAfterInput(model("swallowed", 2), end(2))
	cheap.EmitAfterInput(model("Bye!", 3), end(3))
	deep.EmitAfterInput(model("The integral is x²/2.", 1), end(1))
	deep.EmitAfterInput(model("And x³/3.", 2), end(2))
	c := connected(t, attention.CompositeConfig{
		Members: []attention.Member{{Name: "cheap", Stream: cheap}, {Name: "deep", Stream: deep}},
		Escalation: attention.Escalation{To: "deep", When: func(it fd.StreamItem) bool {
			s, ok := it.(fd.Symbol)
			return ok && strings.Contains(string(s.Data), "[deep]")
		}},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("integrate x")))
	items := receiveUntil(t, c, isEvent(fd.EventInterrupt))
	items = append(items, receiveUntil(t, c, isEvent(fd.EventMetadata))...)
	// While deep has the floor, the cheap one hears the same (its answer is
	// not passed on) and deep answers.
	require.NoError(t, c.Send(ctx, fd.TextSymbol("and x squared?")))
	items = append(items, receiveUntil(t, c, func(it fd.StreamItem) bool {
		ev, ok := it.(fd.StreamEvent)
		return ok && ev.Type == fd.EventMetadata && ev.Data.(attention.Switch).Reason == attention.SwitchReturn
	})...)
	require.NoError(t, c.Send(ctx, fd.TextSymbol("bye")))
	items = append(items, receiveUntil(t, c, func(it fd.StreamItem) bool {
		s, ok := it.(fd.Symbol)
		return ok && string(s.Data) == "Bye!"
	})...)
	items = append(items, receiveUntil(t, c, isEvent(fd.EventStreamEnd))...)
	require.NoError(t, conformance.Check(conformance.Backend{NoAudio: true, NoUsage: true}, conformance.Case{Turns: []conformance.Turn{
		{Text: []string{"Let me think [deep]"}, Interrupted: true},
		{Text: []string{"The integral is x²/2."}},
		{Text: []string{"And x³/3."}},
		{Text: []string{"Bye!"}},
	}}, items))
	var reasons []string
	for _, it := range items {
		if ev, ok := it.(fd.StreamEvent); ok && ev.Type == fd.EventMetadata {
			reasons = append(reasons, ev.Data.(attention.Switch).String())
		}
	}
	assert.Equal(t, []string{"escalate: cheap → deep", "return: deep → cheap"}, reasons)
	seed, _ := deep.Sent()[0].TextValue()
	assert.Contains(t, seed, "user: integrate x")
	assert.Equal(t, 1, cheap.Interrupts(), "the cheap answer was stopped")
	assert.Len(t, cheap.Sent(), 3, "the cheap member heard everything")
}

// Routing: images go to the vision member, the rest to the primary; tool
// results go back to the member that called.
func TestRouteAndTools(t *testing.T) {
	ctx := t.Context()
	live, vision := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	vision.EmitAfterInput()
	c := connected(t, attention.CompositeConfig{
		Members: []attention.Member{{Name: "live", Stream: live}, {Name: "vision", Stream: vision}},
		Route:   map[fd.Modality]string{fd.ModalityImage: "vision"},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.ImageSymbol([]byte{1, 2, 3}, "image/jpeg")))
	require.NoError(t, c.Send(ctx, fd.TextSymbol("what is it?")))
	assert.Len(t, vision.Sent(), 1)
	assert.Len(t, live.Sent(), 1)
	vision.Emit(fd.NewEvent(fd.EventToolCall, fd.ToolCall{ID: "v1", Name: "zoom"}))
	vision.Emit(model("a cat", 4), end(4))
	items := receiveUntil(t, c, isEvent(fd.EventStreamEnd))
	require.Len(t, items, 3)
	require.NoError(t, c.SendToolResult(ctx, fd.ToolResult{ID: "v1", Name: "zoom", Output: "ok"}))
	assert.Len(t, vision.ToolResults(), 1)
	assert.Empty(t, live.ToolResults())
	require.NoError(t, c.SendEnd(ctx))
	assert.Equal(t, 1, vision.SendEnds()+live.SendEnds()-1, "SendEnd goes to the members that had input")
}

// The app's RunDuplex never sees the break: a session over a composite
// whose primary refuses the key at Connect runs its conversation on the
// standby and ends cleanly.
func TestSessionOverFailover(t *testing.T) {
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	live.FailConnect(errors.New("API key not valid"))
	turn.EmitAfterInput(model("hello!", 1), end(1))
	c, err := attention.NewComposite(attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	require.NoError(t, err)
	defer c.Close()
	rec := &fullduplextest.Recorder{}
	err = fd.NewDuplexSession(c).RunDuplex(t.Context(), fullduplextest.SliceSource(fd.TextSymbol("hi")), rec)
	require.NoError(t, err)
	assert.Equal(t, "hello!", rec.Text())
	assert.Equal(t, []fd.EventType{fd.EventReconnect, fd.EventStreamEnd}, rec.Events())
}

func TestCompositeLifecycle(t *testing.T) {
	fs := fullduplextest.NewFakeStream()
	c, err := attention.NewComposite(attention.CompositeConfig{Members: []attention.Member{{Name: "a", Stream: fs}}})
	require.NoError(t, err)
	_, err = c.Receive(t.Context())
	assert.ErrorIs(t, err, fd.ErrNotConnected)
	require.NoError(t, c.Connect(t.Context()))
	require.NoError(t, c.Connect(t.Context()))
	assert.True(t, c.Connected())
	done := make(chan error, 1)
	go func() {
		_, err := c.Receive(context.Background())
		done <- err
	}()
	require.NoError(t, c.Close())
	require.NoError(t, c.Close())
	assert.ErrorIs(t, <-done, fd.ErrClosed)
	assert.ErrorIs(t, c.Send(t.Context(), fd.TextSymbol("x")), fd.ErrClosed)
	assert.True(t, fs.Closed())

	for name, cfg := range map[string]attention.CompositeConfig{
		"none":      {},
		"dup":       {Members: []attention.Member{{Name: "a", Stream: fs}, {Name: "a", Stream: fs}}},
		"bad route": {Members: []attention.Member{{Name: "a", Stream: fs}}, Route: map[fd.Modality]string{fd.ModalityText: "b"}},
		"bad esc":   {Members: []attention.Member{{Name: "a", Stream: fs}}, Escalation: attention.Escalation{To: "a"}},
	} {
		_, err := attention.NewComposite(cfg)
		assert.ErrorIs(t, err, attention.ErrConfig, name)
	}
}

// stopsLate is a member whose Receive, once it fails, returns only when
// released: a stream still winding down when its context ends.
type stopsLate struct {
	*fullduplextest.FakeStream
	failed  sync.Once
	stopped chan struct{} // closed when Receive failed
	release chan struct{}
}

func (s *stopsLate) Receive(ctx context.Context) (fd.StreamItem, error) {
	ev, err := s.FakeStream.Receive(ctx)
	if err != nil {
		s.failed.Do(func() { close(s.stopped) })
		<-s.release
	}
	return ev, err
}

// Close returns only after the members' readers have: no goroutine of the
// stream outlives it.
func TestCompositeCloseWaitsForItsReaders(t *testing.T) {
	m := &stopsLate{FakeStream: fullduplextest.NewFakeStream(), stopped: make(chan struct{}), release: make(chan struct{})}
	c, err := attention.NewComposite(attention.CompositeConfig{Members: []attention.Member{{Name: "a", Stream: m}}})
	require.NoError(t, err)
	require.NoError(t, c.Connect(t.Context()))
	closed := make(chan error, 1)
	go func() { closed <- c.Close() }()
	<-m.stopped
	select {
	case <-closed:
		t.Fatal("Close returned while a member's reader was still in Receive")
	default:
	}
	close(m.release)
	require.NoError(t, <-closed)
}

// A member that hears gets the audio but not the app's transcripts; both
// enter the context carried over.
func TestHearsSkipsTranscripts(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live, Hears: true}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	tr := fd.TextSymbol("where is gate 4?")
	tr.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaFinal: true, fd.MetaRole: fd.RoleUser}
	require.NoError(t, c.Send(ctx, fd.AudioSymbol(make([]byte, 640), 16000)))
	require.NoError(t, c.Send(ctx, tr))
	assert.Len(t, live.Sent(), 1)
	live.Fail(errors.New("gone"))
	receiveUntil(t, c, isEvent(fd.EventReconnect))
	seed, _ := turn.Sent()[0].TextValue()
	assert.Contains(t, seed, "user: where is gate 4?")
	assert.Contains(t, seed, "answer the user's last message", "the transcript was a turn nobody answered")
}

// A Send that fails on the primary fails over and is sent again to the
// standby, which answers it once.
func TestFailoverOnSend(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	turn.EmitAfterInput(model("OK", 1), end(1))
	turn.EmitAfterInput(model("Sure.", 2), end(2))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("first")))
	broken := errors.New("write: broken pipe")
	live.FailNextSend(broken)
	live.Fail(broken) // the connection broke: its Receive ends too
	require.NoError(t, c.Send(ctx, fd.TextSymbol("second")))
	sent := turn.Sent()
	require.Len(t, sent, 2)
	seed, _ := sent[0].TextValue()
	assert.Contains(t, seed, "user: first")
	assert.NotContains(t, seed, "second")
	assert.Equal(t, "second", string(sent[1].Data))
	items := receiveUntil(t, c, isEvent(fd.EventStreamEnd))
	require.NoError(t, conformance.Check(conformance.Backend{NoAudio: true, NoUsage: true}, conformance.Case{Turns: []conformance.Turn{
		{Text: []string{"OK"}},
	}}, items), "the answer to the context is owed: \"first\" was never answered")
	assert.Equal(t, attention.SwitchFailover, items[0].(fd.StreamEvent).Data.(attention.Switch).Reason)
}

// RouteFunc routes by content, over Route.
func TestRouteFunc(t *testing.T) {
	ctx := t.Context()
	live, math := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	c := connected(t, attention.CompositeConfig{
		Members: []attention.Member{{Name: "live", Stream: live}, {Name: "math", Stream: math}},
		RouteFunc: func(s fd.Symbol) string {
			if text, ok := s.TextValue(); ok && strings.ContainsAny(text, "0123456789") {
				return "math"
			}
			return ""
		},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("hello")))
	require.NoError(t, c.Send(ctx, fd.TextSymbol("what is 6×7?")))
	require.Len(t, live.Sent(), 1)
	require.Len(t, math.Sent(), 1)
	assert.Equal(t, "what is 6×7?", string(math.Sent()[0].Data))
}

// Bad input loses nothing already received: a Send that fails over while
// the primary still holds an answer it received (more than the composite
// reads ahead) passes the whole answer on first, and it enters the
// transcript; then the standby answers the input that failed.
func TestFailoverOnSendKeepsWhatTheMemberHeld(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	turn.EmitAfterInput(model("OK", 1), end(1))
	turn.EmitAfterInput(model("Second answer.", 2), end(2))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	require.NoError(t, c.Send(ctx, fd.TextSymbol("first")))
	var answer []string
	for k := range 200 {
		w := fmt.Sprintf("w%d ", k)
		answer = append(answer, w)
		live.Emit(model(w, 1))
	}
	live.Emit(end(1))
	broken := errors.New("write: broken pipe")
	live.FailNextSend(broken)
	live.Fail(broken)
	require.NoError(t, c.Send(ctx, fd.TextSymbol("second")))
	items := receiveUntil(t, c, func(it fd.StreamItem) bool {
		ev, ok := it.(fd.StreamEvent)
		return ok && ev.Type == fd.EventStreamEnd && ev.Data.(fd.TurnEnd).Turn == 2
	})
	require.NoError(t, conformance.Check(conformance.Backend{NoAudio: true, NoUsage: true}, conformance.Case{Turns: []conformance.Turn{
		{Text: []string{strings.Join(answer, "")}},
		{Text: []string{"Second answer."}},
	}}, items))
	seed, _ := turn.Sent()[0].TextValue()
	assert.Contains(t, seed, "assistant: "+strings.Join(answer, ""), "the whole answer is in the context")
	assert.Contains(t, seed, `say only "OK"`, "the answer was complete: nothing is owed")
}

// A primary whose Send failed but whose Receive goes on is read for Drain
// only; then the failover goes ahead.
func TestFailoverOnSendDrainIsBounded(t *testing.T) {
	ctx := t.Context()
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
		Drain:    time.Millisecond,
	})
	defer c.Close()
	live.FailNextSend(errors.New("quota exceeded"))
	require.NoError(t, c.Send(ctx, fd.TextSymbol("hello")))
	assert.True(t, live.Closed())
	_, err := turn.WaitSent(ctx, 1)
	require.NoError(t, err)
}

// playbackFake is a FakeStream that is a PlaybackUser.
type playbackFake struct {
	*fullduplextest.FakeStream
	mu sync.Mutex
	p  fd.PlaybackReporter
}

func (f *playbackFake) UsePlayback(p fd.PlaybackReporter) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.p = p
}

func (f *playbackFake) played(turn int) time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.p.Played(turn)
}

// playedTurns is a PlaybackReporter: how much of each of the stream's turns
// was played.
type playedTurns map[int]time.Duration

func (p playedTurns) Played(turn int) time.Duration { return p[turn] }

// Played positions line up across a failover: each member asking about its
// own turn hears what the listener played of the stream's turn it became.
func TestPlaybackThroughFailover(t *testing.T) {
	ctx := t.Context()
	live := &playbackFake{FakeStream: fullduplextest.NewFakeStream()}
	turn := &playbackFake{FakeStream: fullduplextest.NewFakeStream()}
	live.EmitAfterInput(model("The answer ", 1))
	turn.EmitAfterInput(model("The answer is 42.", 1), end(1))
	c := connected(t, attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer c.Close()
	c.UsePlayback(playedTurns{1: 300 * ms, 2: 700 * ms})
	require.NoError(t, c.Send(ctx, fd.TextSymbol("What is the answer?")))
	receiveUntil(t, c, func(it fd.StreamItem) bool { _, ok := it.(fd.Symbol); return ok })
	live.Fail(errors.New("gone"))
	items := receiveUntil(t, c, isEvent(fd.EventStreamEnd))
	last := items[len(items)-1].(fd.StreamEvent)
	require.Equal(t, fd.TurnEnd{Turn: 2}, last.Data, "the standby's turn 1 is the stream's turn 2")
	assert.Equal(t, 300*ms, live.played(1), "live's turn 1 is the stream's turn 1")
	assert.Equal(t, 700*ms, turn.played(1), "the standby's turn 1 is the stream's turn 2")
	assert.Zero(t, turn.played(2), "a turn not passed on was not heard")
	c.UsePlayback(nil)
	assert.Nil(t, turn.p)
}
