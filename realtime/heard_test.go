package realtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
)

// cutAfter receives the n parts of an answer, then cuts it off.
func cutAfter(t *testing.T, st *realtime.Stream, n int) {
	t.Helper()
	for range n {
		recv(t, st)
	}
	require.NoError(t, st.InterruptOutput(ctxT(t)))
	requireEvent(t, recv(t, st), fd.EventInterrupt)
}

// With a PlaybackReporter, a cut answer's audio stays in the history only
// as far as it was played, and its text in the same share.
func TestCutAnswerKeepsWhatWasHeard(t *testing.T) {
	m := realtimetest.NewModel()
	tone := make([]byte, 4800) // 100 ms at 24 kHz
	m.Script(realtimetest.Script{Hang: true, Parts: []fd.Symbol{
		fd.AudioSymbol(tone, 24000), fd.TextSymbol("aaaa"),
		fd.AudioSymbol(tone, 24000), fd.TextSymbol("bbbb"),
	}})
	st := start(t, m, realtime.Config{})
	speaker := &fullduplextest.FakeSpeaker{}
	st.UsePlayback(speaker)
	say(t, st, "talk")
	speaker.SetPlayed(1, 150*time.Millisecond)
	cutAfter(t, st, 4)
	assert.Equal(t, []string{"user: talk", "model: [audio 100ms] aaaa [audio 50ms] bb"}, dialogue(st.History()),
		"150 of 200 ms heard: the audio to 150 ms, the text to 6 of 8 bytes")
}

// Nothing played: nothing of the answer stays; played in full: all of it.
func TestCutAnswerHeardNothingOrAll(t *testing.T) {
	for _, tc := range []struct {
		played time.Duration
		want   []string
	}{
		{0, []string{"user: talk"}},
		{time.Second, []string{"user: talk", "model: [audio 100ms] said"}},
	} {
		m := realtimetest.NewModel()
		m.Script(realtimetest.Script{Hang: true, Parts: []fd.Symbol{fd.AudioSymbol(make([]byte, 4800), 24000), fd.TextSymbol("said")}})
		st := start(t, m, realtime.Config{})
		speaker := &fullduplextest.FakeSpeaker{}
		speaker.SetPlayed(1, tc.played)
		st.UsePlayback(speaker)
		say(t, st, "talk")
		cutAfter(t, st, 2)
		assert.Equal(t, tc.want, dialogue(st.History()), "played %v", tc.played)
	}
}

// A text-only answer has nothing to play: what was received stays, with or
// without a reporter; and without a reporter, audio stays as received.
func TestCutAnswerWithoutAudioOrReporter(t *testing.T) {
	m := realtimetest.NewModel()
	m.ReplyAndHang("one ", "two ")
	st := start(t, m, realtime.Config{})
	st.UsePlayback(&fullduplextest.FakeSpeaker{})
	say(t, st, "count")
	cutAfter(t, st, 2)
	assert.Equal(t, []string{"user: count", "model: one two "}, dialogue(st.History()))

	m2 := realtimetest.NewModel()
	m2.Script(realtimetest.Script{Hang: true, Parts: []fd.Symbol{fd.AudioSymbol(make([]byte, 4800), 24000)}})
	st2 := start(t, m2, realtime.Config{})
	st2.UsePlayback(nil)
	say(t, st2, "talk")
	cutAfter(t, st2, 1)
	assert.Equal(t, []string{"user: talk", "model: [audio 100ms]"}, dialogue(st2.History()))
}

// RunDuplex hands the receiver's reporter to the stream.
func TestRunDuplexHandsThePlaybackOver(t *testing.T) {
	m := realtimetest.NewModel()
	m.Script(realtimetest.Script{Hang: true, Parts: []fd.Symbol{fd.AudioSymbol(make([]byte, 4800), 24000), fd.TextSymbol("abcd")}})
	st := start(t, m, realtime.Config{})
	session := fd.NewDuplexSession(st)
	session.MaxTurns = 1
	speaker := &fullduplextest.FakeSpeaker{}
	speaker.SetPlayed(1, 25*time.Millisecond)
	rs := &reportingSink{FakeSpeaker: speaker, session: session}
	require.NoError(t, session.RunDuplex(ctxT(t), fullduplextest.SliceSource(fd.TextSymbol("talk")), rs))
	assert.Equal(t, []string{"user: talk", "model: [audio 25ms] a"}, dialogue(st.History()))
}

// reportingSink is a FakeSpeaker that barges in once the answer's text arrives.
type reportingSink struct {
	*fullduplextest.FakeSpeaker
	session *fd.DuplexSession
}

func (r *reportingSink) Write(ctx context.Context, it fd.StreamItem) error {
	if s, ok := it.(fd.Symbol); ok && s.Modality == fd.ModalityText {
		r.session.Interrupt()
	}
	return r.FakeSpeaker.Write(ctx, it)
}
