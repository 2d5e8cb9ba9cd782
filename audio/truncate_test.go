package audio

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
)

// barger is the sink beside the Speaker in a MultiSink: at the first model
// audio it calls atAudio (after the Speaker has queued it), and it keeps the
// terminator of the turn.
type barger struct {
	atAudio func()
	mu      sync.Mutex
	fired   bool
	end     *fullduplex.TurnEnd
}

func (b *barger) Write(_ context.Context, it fullduplex.StreamItem) error {
	switch it := it.(type) {
	case fullduplex.Symbol:
		if it.Modality == fullduplex.ModalityAudio && !b.fired {
			b.fired = true
			b.atAudio()
		}
	case fullduplex.StreamEvent:
		if te, ok := it.Data.(fullduplex.TurnEnd); ok && it.Type == fullduplex.EventInterrupt {
			b.mu.Lock()
			b.end = &te
			b.mu.Unlock()
		}
	}
	return nil
}

func (b *barger) turnEnd() *fullduplex.TurnEnd {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.end
}

// runBargeIn runs a DuplexSession of an openai stream on openaitest into
// sp: one question, an answer whose first first ms of audio come, then it
// hangs, and
// atAudio(session) at its first audio. It returns the truncation's
// audio_end_ms and the interrupted turn's end.
func runBargeIn(t *testing.T, sp *Speaker, first int, atAudio func(*fullduplex.DuplexSession)) (int, *fullduplex.TurnEnd) {
	t.Helper()
	srv := openaitest.New(t, openaitest.Options{})
	srv.Script(openaitest.Reply{Audio: [][]byte{openaitest.Tone(440, 24000, first), openaitest.Tone(440, 24000, 100)}, Text: []string{"one ", "two"}, Hang: true})
	st := openai.NewStream(openai.Config{BaseURL: srv.URL(), APIKey: srv.APIKey()})
	defer st.Close()
	session := fullduplex.NewDuplexSession(st)
	session.MaxTurns = 1
	b := &barger{atAudio: func() { atAudio(session) }}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	src := fullduplex.MergeSources(fullduplextest.SliceSource(fullduplex.TextSymbol("q")), fullduplex.SourceFunc(func(c context.Context) (fullduplex.Symbol, error) {
		<-c.Done() // input stays open
		return fullduplex.Symbol{}, c.Err()
	}))
	require.NoError(t, session.RunDuplex(ctx, src, fullduplex.MultiSink(sp, b)))
	conn, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	ev, err := conn.WaitFor(ctx, openaitest.IsType("conversation.item.truncate"))
	require.NoError(t, err)
	ms, ok := ev.AudioEndMS()
	require.True(t, ok)
	return ms, b.turnEnd()
}

// End to end on a fake device: the session cuts the answer after the
// device's callbacks have played 40 ms of it; the truncation the server
// gets says exactly 40 ms, and so does the terminator's Heard.
func TestFakeSpeakerTruncatesTheOpenAIAnswer(t *testing.T) {
	sp := fakeSpeaker(t, SpeakerConfig{}, 24000) // the wire rate: exact counts
	defer sp.Close()
	ms, end := runBargeIn(t, sp, 100, func(session *fullduplex.DuplexSession) {
		out := make([]int16, 240)
		t0 := monotonicNow() - time.Second // at the DAC well before now
		for i := range 4 {
			sp.c.driveDAC(out, 240, t0+time.Duration(i)*10*time.Millisecond, 30*time.Millisecond)
		}
		session.Interrupt()
	})
	assert.Equal(t, 40, ms)
	require.NotNil(t, end)
	require.NotNil(t, end.Heard)
	assert.Equal(t, 40*time.Millisecond, end.Heard.Audio)
	assert.Equal(t, 40*time.Millisecond, sp.Played(1))
}

// End to end on the rig: the real Speaker plays the answer into the
// PulseAudio null sink; the user cuts in once 50 ms have reached the DAC.
// The truncation's audio_end_ms is what the speaker's monitor recorded of
// the answer (what the device had been given plays out), within one
// callback period (and 10 ms level windows).
func TestSpeakerTruncatesTheOpenAIAnswer(t *testing.T) {
	requireRig(t)
	rec := record(t, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(SpeakerConfig{})
	require.NoError(t, err)
	defer sp.Close()
	ms, end := runBargeIn(t, sp, 1000, func(session *fullduplex.DuplexSession) {
		require.True(t, waitFor(5*time.Second, func() bool { return sp.Played(1) >= 50*time.Millisecond }))
		session.Interrupt()
	})
	require.True(t, waitFor(3*time.Second, func() bool {
		s := rec.Samples()
		return !sp.Playing() && len(s) > 3200 && pcm.DBFS(s[len(s)-3200:]) < -80
	}), "the monitor hears the silence after the cut")
	rec.Stop()
	heard := time.Duration(len(loud(rec.Samples(), 16000))) * time.Second / 16000
	margin := sp.Period() + 20*time.Millisecond
	assert.InDelta(t, float64(heard), float64(time.Duration(ms)*time.Millisecond), float64(margin), "audio_end_ms %d against %v recorded", ms, heard)
	assert.Equal(t, int(sp.Played(1).Milliseconds()), ms, "the speaker's Played after the cut")
	assert.Less(t, ms, 900, "cut well before the end of the audio received")
	require.NotNil(t, end)
	require.NotNil(t, end.Heard)
	assert.Equal(t, time.Duration(ms)*time.Millisecond, end.Heard.Audio.Truncate(time.Millisecond))
	t.Logf("device %q, delay %v: audio_end_ms %d, monitor heard %v, transcript heard %q", sp.Device().Name, sp.outputDelay(), ms, heard, end.Heard.Transcript)
}
