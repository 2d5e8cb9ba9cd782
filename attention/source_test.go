package attention_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
)

const ms = time.Millisecond

// floorLog records the floor changes of a Source.
type floorLog struct{ changes []attention.FloorChange }

func (l *floorLog) on(ev fd.StreamEvent) {
	if ev.Type != fd.EventMetadata {
		panic("attention event of type " + string(ev.Type))
	}
	l.changes = append(l.changes, ev.Data.(attention.FloorChange))
}

// brief is "gained/lost:reason" for each change.
func (l *floorLog) brief() []string {
	var out []string
	for _, c := range l.changes {
		who := c.Gained
		if who == "" {
			who = "-" + c.Lost
		} else if c.Lost != "" {
			who += "/-" + c.Lost
		}
		out = append(out, who+":"+string(c.Reason))
	}
	return out
}

// bySource returns, per input, the timestamps passed.
func bySource(got []fd.Symbol) map[string][]time.Time {
	m := map[string][]time.Time{}
	for _, s := range got {
		src, _ := s.Metadata[fd.MetaSource].(string)
		m[src] = append(m[src], s.Timestamp)
	}
	return m
}

func newSource(t *testing.T, cfg attention.Config, q *sequence, names ...string) (*attention.Source, *floorLog) {
	t.Helper()
	log := &floorLog{}
	cfg.OnEvent = log.on
	a, err := attention.New(cfg, q.inputs(names...)...)
	require.NoError(t, err)
	return a, log
}

// checkAccounting: every symbol read is counted once.
func checkAccounting(t *testing.T, a *attention.Source, scripts ...*script) {
	t.Helper()
	total := 0
	for _, s := range scripts {
		total += len(s.syms)
	}
	st := a.Stats()
	sum := st.Passed.Total() + st.Mixed.Total() + st.Unattended.Total() + st.OverRate.Total() + st.Unchanged.Total() + st.Silence.Total() + st.Transcripts.Total()
	assert.EqualValues(t, total, sum, "every symbol read is counted once: %+v", st)
}

// Voice takes a free floor after MinSpeech, the holder keeps it through its
// pauses and against another speaker, and loses it after Hold of silence;
// then the other speaker can take it. The claiming speech is passed from
// its pre-roll; nothing is passed twice.
func TestVoiceFloorHoldAndRelease(t *testing.T) {
	a1 := (&script{}).silence(200 * ms).speech(400 * ms).silence(300 * ms).speech(200 * ms).silence(2000 * ms)
	b := (&script{}).silence(400 * ms).speech(300 * ms).silence(2100 * ms).speech(400 * ms).silence(200 * ms)
	q := newSequence(a1, b)
	a, log := newSource(t, attention.Config{}, q, "a", "b")
	got := run(t, a)

	assert.Equal(t, []string{"a:voice", "-a:silence", "b:voice", "-b:ended"}, log.brief())
	for _, c := range log.changes {
		assert.False(t, c.At.Before(t0), "each change is stamped with its media time")
	}
	assert.Equal(t, b.syms[len(b.syms)-1].Timestamp, log.changes[3].At, "an end is stamped with the latest media time")
	// Nothing lost, nothing twice: each input passed exactly its symbols
	// from its claim's pre-roll (which holds the onset of the claiming
	// speech) to its release.
	per := bySource(got)
	pre := attention.DefaultPreRoll
	aTook, aLost, bTook := log.changes[0].At, log.changes[1].At, log.changes[2].At
	assert.Equal(t, stamps(a1, aTook.Add(-pre), aLost), per["a"])
	assert.Equal(t, stamps(b, bTook.Add(-pre), t0.Add(time.Hour)), per["b"])
	assert.False(t, per["a"][0].After(t0.Add(200*ms)), "the onset of a's speech is passed")
	// b's first burst came while a held the floor: none of it passed.
	assert.True(t, per["b"][0].After(t0.Add(700*ms)))
	// a's last speech ended at 1.1 s (plus the detector's hangover); it is
	// released Hold later, not before.
	assert.False(t, aLost.Before(t0.Add(1100*ms+attention.DefaultHold)))
	assert.True(t, aLost.Before(t0.Add(1100*ms+attention.DefaultHold+500*ms)))
	assert.Empty(t, a.Floor())
	checkAccounting(t, a, a1, b)
}

// A burst shorter than MinSpeech never takes the floor.
func TestShortBurstIgnored(t *testing.T) {
	s := (&script{}).silence(200 * ms).speech(60 * ms).silence(500 * ms)
	q := newSequence(s)
	a, log := newSource(t, attention.Config{}, q, "a")
	got := run(t, a)
	assert.Empty(t, log.changes)
	assert.Empty(t, got)
	assert.EqualValues(t, len(s.syms), a.Stats().Unattended.Audio)
}

// With an activation phrase, voice alone does not take the floor: the
// input whose transcript says the phrase does, and its pre-roll is passed.
// Transcripts steer and are not passed.
func TestActivationPhrase(t *testing.T) {
	a1 := (&script{}).silence(100 * ms).speech(600 * ms).silence(200 * ms)
	b := (&script{}).silence(300 * ms).speech(400 * ms)
	b.text("Hey, Kiosk! where is gate 4?", true)
	b.speech(200 * ms).silence(100 * ms)
	q := newSequence(a1, b)
	a, log := newSource(t, attention.Config{Selective: attention.Selective{Phrase: "hey kiosk"}}, q, "a", "b")
	got := run(t, a)
	assert.Equal(t, []string{"b:phrase", "-b:ended"}, log.brief())
	per := bySource(got)
	assert.Empty(t, per["a"])
	assert.NotEmpty(t, per["b"])
	assert.EqualValues(t, 1, a.Stats().Transcripts.Text)
	for _, s := range got {
		assert.Equal(t, fd.ModalityAudio, s.Modality, "no transcript passed")
	}
	checkAccounting(t, a, a1, b)
}

// "kiosk" inside another word is not the phrase.
func TestPhraseWordBoundaries(t *testing.T) {
	b := (&script{}).text("heykiosks are great", true).text("hey kiosks are great", true)
	q := newSequence(b)
	a, log := newSource(t, attention.Config{Selective: attention.Selective{Phrase: "hey kiosk"}}, q, "b")
	run(t, a)
	assert.Empty(t, log.changes)
}

// A higher-priority input preempts the holder at once and Control.Interrupt
// is called; the holder's later speech is not passed.
func TestPreemptInterrupts(t *testing.T) {
	mic := (&script{}).silence(100 * ms).speech(1000 * ms)
	alarm := (&script{}).silence(400 * ms).speech(300 * ms).silence(100 * ms)
	q := newSequence(mic, alarm)
	interrupts := 0
	log := &floorLog{}
	ins := q.inputs("mic", "alarm")
	ins[1].Priority = 10
	a, err := attention.New(attention.Config{OnEvent: log.on, Control: attention.Control{Interrupt: func() { interrupts++ }}}, ins...)
	require.NoError(t, err)
	got := run(t, a)
	// The mic speaks on after the alarm's end and takes the floor back.
	require.Equal(t, []string{"mic:voice", "alarm/-mic:preempt", "-alarm:ended", "mic:voice", "-mic:ended"}, log.brief())
	assert.Equal(t, attention.ReasonVoice, log.changes[1].Claim)
	assert.Equal(t, []string{"alarm"}, log.changes[1].Holders)
	assert.Equal(t, 1, interrupts)
	// Nothing lost, nothing twice: each input passed exactly its symbols
	// from its claim's pre-roll to the end of its floor.
	per := bySource(got)
	took, preempted, back := log.changes[0].At, log.changes[1].At, log.changes[3].At
	pre := attention.DefaultPreRoll
	want := append(stamps(mic, took.Add(-pre), preempted.Add(1)), stamps(mic, maxTime(preempted.Add(1), back.Add(-pre)), t0.Add(time.Hour))...)
	assert.Equal(t, want, per["mic"])
	assert.Equal(t, stamps(alarm, preempted.Add(-pre), t0.Add(time.Hour)), per["alarm"])
	// an equal priority never preempts
	mic2 := (&script{}).silence(100 * ms).speech(1000 * ms)
	other := (&script{}).silence(400 * ms).speech(300 * ms).silence(100 * ms)
	q2 := newSequence(mic2, other)
	a2, log2 := newSource(t, attention.Config{}, q2, "mic", "other")
	run(t, a2)
	assert.Equal(t, []string{"mic:voice", "-mic:ended"}, log2.brief())
}

// stamps returns the timestamps of s's symbols in [from, to).
func stamps(s *script, from, to time.Time) []time.Time {
	var out []time.Time
	for _, sym := range s.syms {
		if !sym.Timestamp.Before(from) && sym.Timestamp.Before(to) {
			out = append(out, sym.Timestamp)
		}
	}
	return out
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Typed text claims the floor and passes; a Relevance function claims it
// for what it finds relevant.
func TestTextAndRelevance(t *testing.T) {
	kb := (&script{}).text("hello", false)
	q := newSequence(kb)
	a, log := newSource(t, attention.Config{}, q, "keyboard")
	got := run(t, a)
	assert.Equal(t, []string{"keyboard:text", "-keyboard:ended"}, log.brief())
	require.Len(t, got, 1)
	assert.Equal(t, "keyboard", got[0].Metadata[fd.MetaSource])

	sensor := (&script{}).video(1, 100*ms, 50*ms).video(9, 100*ms, 50*ms)
	q2 := newSequence(sensor)
	relevant := func(input string, s fd.Symbol) bool { return s.Data[0] == 9 }
	a2, log2 := newSource(t, attention.Config{Selective: attention.Selective{Relevance: relevant}}, q2, "door")
	got2 := run(t, a2)
	assert.Equal(t, []string{"door:relevance", "-door:ended"}, log2.brief())
	assert.Len(t, got2, 2)
	assert.EqualValues(t, 2, a2.Stats().Unattended.Video)

	// An ambient input never claims, so Relevance is not asked about it.
	cam := (&script{}).video(9, 100*ms, 50*ms)
	q3 := newSequence(cam)
	asked := 0
	ins := q3.inputs("cam")
	ins[0].Ambient = true
	a3, err := attention.New(attention.Config{Selective: attention.Selective{Relevance: func(string, fd.Symbol) bool { asked++; return true }}}, ins...)
	require.NoError(t, err)
	assert.Len(t, run(t, a3), 2, "an ambient input passes without the floor")
	assert.Zero(t, asked)
}

// Divided: two speakers hold the floor at once, each symbol labelled; a
// third waits.
func TestDividedLabels(t *testing.T) {
	x := (&script{}).silence(100 * ms).speech(500 * ms)
	y := (&script{}).silence(150 * ms).speech(500 * ms)
	z := (&script{}).silence(200 * ms).speech(300 * ms)
	q := newSequence(x, y, z)
	a, log := newSource(t, attention.Config{Divided: attention.Divided{Max: 2}}, q, "x", "y", "z")
	got := run(t, a)
	assert.Equal(t, []string{"x:voice", "y:voice"}, log.brief()[:2])
	assert.Equal(t, []string{"x", "y"}, log.changes[1].Holders)
	per := bySource(got)
	assert.NotEmpty(t, per["x"])
	assert.NotEmpty(t, per["y"])
	assert.Empty(t, per["z"])
	checkAccounting(t, a, x, y, z)
}

// A preempting input takes the floor from the holder of lowest priority;
// of equals, from the latest to take it.
func TestPreemptTakesFromTheLatestOfEquals(t *testing.T) {
	x := (&script{}).silence(100 * ms).speech(800 * ms)
	y := (&script{}).silence(200 * ms).speech(700 * ms)
	alarm := (&script{}).silence(500 * ms).speech(200 * ms)
	q := newSequence(x, y, alarm)
	log := &floorLog{}
	ins := q.inputs("x", "y", "alarm")
	ins[2].Priority = 10
	a, err := attention.New(attention.Config{OnEvent: log.on, Divided: attention.Divided{Max: 2}}, ins...)
	require.NoError(t, err)
	run(t, a)
	require.GreaterOrEqual(t, len(log.brief()), 3)
	assert.Equal(t, []string{"x:voice", "y:voice", "alarm/-y:preempt"}, log.brief()[:3])
}

// Divided with Mix: the holders' audio becomes one mono stream at the mix
// rate; each chunk names its inputs; nothing is lost: the mixed samples
// cover all the audio mixed.
func TestDividedMix(t *testing.T) {
	x := (&script{}).silence(100 * ms).speech(400 * ms)
	y := (&script{}).silence(100 * ms).speech(400 * ms)
	q := newSequence(x, y)
	a, _ := newSource(t, attention.Config{Divided: attention.Divided{Max: 2, Mix: true}}, q, "x", "y")
	got := run(t, a)
	require.NotEmpty(t, got)
	names := map[string]bool{}
	var samples int
	for _, s := range got {
		assert.Equal(t, 16000, s.SampleRate())
		names[s.Metadata[fd.MetaSource].(string)] = true
		samples += len(s.Data) / 2
	}
	assert.True(t, names["x+y"], "chunks of both: %v", names)
	st := a.Stats()
	assert.EqualValues(t, len(got), st.MixedFrames)
	// Each input's audio is in the mix once: the mix is at least as long
	// as either input's and at most as long as both end to end.
	assert.GreaterOrEqual(t, samples, int(st.Mixed.Audio)*320/2)
	assert.LessOrEqual(t, samples, int(st.Mixed.Audio)*320)
	checkAccounting(t, a, x, y)
}

// Budgets: at most PerSecond frames, only frames that changed, no silence;
// each skip counted.
func TestBudgets(t *testing.T) {
	cam := (&script{}).video(1, 1000*ms, 1000*ms/30).video(2, 200*ms, 100*ms)
	q := newSequence(cam)
	ins := q.inputs("cam")
	ins[0].Ambient = true
	a, err := attention.New(attention.Config{Budget: attention.Budget{Video: attention.FrameBudget{PerSecond: 5, MinChange: 0.5}}}, ins...)
	require.NoError(t, err)
	got := run(t, a)
	st := a.Stats()
	// 1 s of the same frame at 30 fps: the first passes, the rest are over
	// the rate or unchanged; the new frame passes once, then is unchanged.
	assert.Len(t, got, 2)
	assert.True(t, bytes.Equal(got[1].Data, bytes.Repeat([]byte{2}, 64)))
	assert.EqualValues(t, 2, st.Passed.Video)
	assert.NotZero(t, st.OverRate.Video)
	assert.NotZero(t, st.Unchanged.Video)
	checkAccounting(t, a, cam)

	mic := (&script{}).silence(300 * ms).speech(300 * ms).silence(60 * ms).speech(240 * ms).silence(1000 * ms)
	q2 := newSequence(mic)
	a2, err := attention.New(attention.Config{Budget: attention.Budget{DropSilence: true}}, q2.inputs("mic")...)
	require.NoError(t, err)
	got2 := run(t, a2)
	st2 := a2.Stats()
	assert.NotZero(t, st2.Silence.Audio)
	assert.EqualValues(t, len(got2), st2.Passed.Audio)
	// speech and the detector's hangover pass; the silence after does not
	assert.Less(t, len(got2), 1600/20)
	speech := stamps(mic, t0.Add(300*ms), t0.Add(900*ms))
	assert.Subset(t, bySource(got2)["mic"], speech, "all of the speech passes, and the pause within it")
	checkAccounting(t, a2, mic)
}

// A failing input ends Run with its error, after what was read before.
func TestInputError(t *testing.T) {
	boom := errors.New("mic unplugged")
	n := 0
	src := fd.SourceFunc(func(ctx context.Context) (fd.Symbol, error) {
		if n++; n > 1 {
			return fd.Symbol{}, boom
		}
		return fd.TextSymbol("hi"), nil
	})
	a, err := attention.New(attention.Config{}, attention.Input{Name: "mic", Source: src})
	require.NoError(t, err)
	ctx := context.Background()
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	s, err := a.Next(ctx)
	require.NoError(t, err)
	assert.Equal(t, "hi", string(s.Data))
	_, err = a.Next(ctx)
	assert.ErrorIs(t, err, boom)
	assert.ErrorIs(t, <-errc, boom)
	_, err = a.Next(ctx)
	assert.ErrorIs(t, err, boom)
}

func TestConfigErrors(t *testing.T) {
	src := fd.SourceFunc(func(context.Context) (fd.Symbol, error) { return fd.Symbol{}, io.EOF })
	for name, tc := range map[string]struct {
		cfg attention.Config
		ins []attention.Input
	}{
		"no inputs":    {attention.Config{}, nil},
		"no name":      {attention.Config{}, []attention.Input{{Source: src}}},
		"twice":        {attention.Config{}, []attention.Input{{Name: "a", Source: src}, {Name: "a", Source: src}}},
		"no source":    {attention.Config{}, []attention.Input{{Name: "a"}}},
		"negative":     {attention.Config{Sustained: attention.Sustained{Hold: -1}}, []attention.Input{{Name: "a", Source: src}}},
		"bad change":   {attention.Config{Budget: attention.Budget{Image: attention.FrameBudget{MinChange: 2}}}, []attention.Input{{Name: "a", Source: src}}},
		"bad mix rate": {attention.Config{Divided: attention.Divided{MixRate: 5}}, []attention.Input{{Name: "a", Source: src}}},
	} {
		_, err := attention.New(tc.cfg, tc.ins...)
		assert.ErrorIs(t, err, attention.ErrConfig, name)
	}
}

func TestFloorChangeString(t *testing.T) {
	c := attention.FloorChange{Holders: []string{"alarm"}, Gained: "alarm", Lost: "mic", Reason: attention.ReasonPreempt, Claim: attention.ReasonVoice}
	assert.Equal(t, "floor: alarm (preempt by alarm's voice; mic lost it)", c.String())
	assert.True(t, strings.HasPrefix(attention.FloorChange{Reason: attention.ReasonSilence, Lost: "a"}.String(), "floor: free"))
}

// Audio of no valid rate has no duration; the pre-roll is bounded anyway:
// when the input takes the floor, only the newest 4096 chunks are passed.
func TestPreRollBounded(t *testing.T) {
	bad := fd.Symbol{Modality: fd.ModalityAudio, Data: []byte{1, 2}, MIMEType: "audio/pcm", Timestamp: t0}
	syms := make([]fd.Symbol, 5000)
	for i := range syms {
		syms[i] = bad
	}
	line := fd.TextSymbol("hi")
	line.Timestamp = t0
	q := newSequence(&script{syms: append(syms, line)})
	a, _ := newSource(t, attention.Config{}, q, "broken")
	got := run(t, a)
	st := a.Stats()
	assert.EqualValues(t, 5000-4096, st.Unattended.Audio)
	assert.EqualValues(t, 4096, st.Passed.Audio)
	assert.Len(t, got, 4097)
}
