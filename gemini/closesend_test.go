package gemini_test

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
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

var textOut = gemini.Config{ResponseModalities: []genai.Modality{genai.ModalityText}}

// untilEOF receives until io.EOF and returns the model texts and the
// terminators seen; any other error fails the test.
func untilEOF(t *testing.T, st *gemini.Stream) (texts []string, terms []fullduplex.StreamEvent) {
	t.Helper()
	ctx := waitCtx(t)
	for {
		it, err := st.Receive(ctx)
		if errors.Is(err, io.EOF) {
			return texts, terms
		}
		require.NoError(t, err, "receiving until io.EOF")
		switch v := it.(type) {
		case fullduplex.Symbol:
			if txt, ok := v.TextValue(); ok && v.Role() == fullduplex.RoleModel {
				texts = append(texts, txt)
			}
		case fullduplex.StreamEvent:
			if v.Type == fullduplex.EventStreamEnd || v.Type == fullduplex.EventInterrupt {
				terms = append(terms, v)
			}
		}
	}
}

// A question, then CloseSend at once: the answer comes, then io.EOF, and
// the connection is closed.
func TestCloseSendAnswersThenEOF(t *testing.T) {
	_, st, _ := start(t, geminitest.Options{Echo: true}, textOut)
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("why?")))
	require.NoError(t, st.CloseSend(ctx))
	assert.ErrorIs(t, st.Send(ctx, fullduplex.TextSymbol("more")), gemini.ErrInputClosed)
	texts, terms := untilEOF(t, st)
	assert.Equal(t, []string{"echo: why?"}, texts)
	require.Len(t, terms, 1)
	assert.Equal(t, fullduplex.EventStreamEnd, terms[0].Type)
	_, err := st.Receive(ctx)
	assert.ErrorIs(t, err, io.EOF, "io.EOF stays")
	assert.False(t, st.Connected())
	assert.NoError(t, st.CloseSend(ctx), "idempotent")
}

// With nothing owed, CloseSend ends the stream at once, without waiting for
// CloseSendWait.
func TestCloseSendWithNothingPending(t *testing.T) {
	cfg := textOut
	cfg.CloseSendWait = time.Hour
	_, st, _ := start(t, geminitest.Options{Echo: true}, cfg)
	ctx := waitCtx(t)
	require.NoError(t, st.CloseSend(ctx))
	texts, terms := untilEOF(t, st)
	assert.Empty(t, texts)
	assert.Empty(t, terms)
}

// After an answer has ended, CloseSend owes nothing.
func TestCloseSendAfterTheAnswer(t *testing.T) {
	cfg := textOut
	cfg.CloseSendWait = time.Hour
	_, st, _ := start(t, geminitest.Options{Echo: true}, cfg)
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("one")))
	for {
		if ev, ok := next(t, st).(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventStreamEnd {
			break
		}
	}
	require.NoError(t, st.CloseSend(ctx))
	texts, _ := untilEOF(t, st)
	assert.Empty(t, texts)
}

// Audio sent before CloseSend: the audio stream is ended (audioStreamEnd)
// and the spoken turn's answer comes before io.EOF.
func TestCloseSendEndsTheAudioStream(t *testing.T) {
	_, st, c := start(t, geminitest.Options{Echo: true}, gemini.Config{})
	ctx := waitCtx(t)
	for range 5 {
		require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(geminitest.Tone(500, 16000, 20), 16000)))
	}
	require.NoError(t, st.CloseSend(ctx))
	_, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd)
	require.NoError(t, err)
	texts, terms := untilEOF(t, st)
	assert.Equal(t, []string{"echo: [100 ms of audio]"}, texts)
	assert.Len(t, terms, 1)
}

// Audio the service never answers (silence, noise) does not keep the
// stream open: CloseSendWait bounds the wait for an answer to start.
func TestCloseSendGivesUpOnUnansweredAudio(t *testing.T) {
	cfg := gemini.Config{CloseSendWait: 50 * time.Millisecond}
	_, st, c := start(t, geminitest.Options{}, cfg) // no echo: nobody answers
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(geminitest.Tone(500, 16000, 20), 16000)))
	require.NoError(t, st.CloseSend(ctx))
	_, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd)
	require.NoError(t, err)
	texts, terms := untilEOF(t, st)
	assert.Empty(t, texts)
	assert.Empty(t, terms)
}

// Silence sent after the last answer (a file's trailing second) owes no
// answer: CloseSend ends at once, without waiting out CloseSendWait.
func TestCloseSendOwesNothingForTrailingSilence(t *testing.T) {
	_, st, c := start(t, geminitest.Options{Echo: true}, gemini.Config{CloseSendWait: time.Hour})
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("q")))
	for {
		if ev, ok := next(t, st).(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventStreamEnd {
			break
		}
	}
	for range 50 { // one second of digital silence
		require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(make([]byte, 640), 16000)))
	}
	require.NoError(t, st.CloseSend(ctx))
	_, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd)
	require.NoError(t, err)
	texts, terms := untilEOF(t, st) // the test's deadline, not an hour, bounds it
	assert.Empty(t, texts)
	assert.Empty(t, terms)
}

// An answer that has started is waited for, however long it takes.
func TestCloseSendWaitsForAStartedAnswer(t *testing.T) {
	cfg := textOut
	cfg.CloseSendWait = time.Millisecond
	_, st, c := start(t, geminitest.Options{NoResumptionUpdates: true}, cfg)
	ctx := waitCtx(t)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("q")))
	_, err := c.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	require.NoError(t, c.SendText("part one"))
	txt, _ := symbol(t, recv(t, st)).TextValue()
	require.Equal(t, "part one", txt)
	require.NoError(t, st.CloseSend(ctx))
	// Let CloseSendWait pass many times over: it bounds only the wait for
	// an answer to start, and this one has.
	time.Sleep(20 * time.Millisecond)
	require.NoError(t, c.SendText("part two"))
	require.NoError(t, c.SendTurnCompleteUsage(&genai.UsageMetadata{TotalTokenCount: 4}))
	texts, terms := untilEOF(t, st)
	assert.Equal(t, []string{"part two"}, texts)
	assert.Len(t, terms, 1)
}

// CloseSend while the stream reconnects: the end of input is buffered and
// the stream still ends cleanly.
func TestCloseSendDuringReconnect(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{Echo: true}, textOut)
	ctx := waitCtx(t)
	srv.HangSetup(true)
	c0.Drop()
	_, err := srv.WaitConn(ctx, 1) // the reconnect is waiting for setupComplete
	require.NoError(t, err)
	require.NoError(t, st.Send(ctx, fullduplex.TextSymbol("still there?")))
	require.NoError(t, st.CloseSend(ctx))
	srv.HangSetup(false)
	texts, _ := untilEOF(t, st)
	assert.Equal(t, []string{"echo: still there?"}, texts, "the buffered question is answered on the new connection")
}

// CloseSend with nothing owed while a reconnect is stuck does not wait for
// the reconnect.
func TestCloseSendNothingOwedDuringReconnect(t *testing.T) {
	srv, st, c0 := start(t, geminitest.Options{}, gemini.Config{})
	ctx := waitCtx(t)
	srv.HangSetup(true)
	c0.Drop()
	_, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	require.NoError(t, st.CloseSend(ctx))
	untilEOF(t, st)
}

// The Ask agent: RunDuplex with a Source that yields one question returns
// nil after the answer (it used to hang on Live, which never ends a stream
// by itself).
func TestAskReturnsAfterTheAnswer(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey, Echo: true})
	cfg := textOut
	cfg.BaseURL, cfg.APIKey = srv.URL(), testKey
	st := gemini.NewStream(cfg)
	defer st.Close()
	var mu sync.Mutex
	var answer strings.Builder
	sink := fullduplex.SinkFunc(func(ctx context.Context, item fullduplex.StreamItem) error {
		if s, ok := item.(fullduplex.Symbol); ok && s.Role() == fullduplex.RoleModel {
			txt, _ := s.TextValue()
			mu.Lock()
			answer.WriteString(txt)
			mu.Unlock()
		}
		return nil
	})
	err := fullduplex.NewDuplexSession(st).RunDuplex(waitCtx(t), fullduplextest.SliceSource(fullduplex.TextSymbol("capital of France?")), sink)
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "echo: capital of France?", answer.String())
}

// Typed-ahead: lines sent before the first answer are each answered, in
// order, each in its own turn (what text-chat does with pasted lines).
func TestTypedAheadLinesAnsweredInOrder(t *testing.T) {
	for _, name := range []string{"text", "audio"} {
		t.Run(name+" responses", func(t *testing.T) {
			cfg := textOut
			if name == "audio" {
				cfg = gemini.Config{}
			}
			_, st, _ := start(t, geminitest.Options{Echo: true}, cfg)
			ctx := waitCtx(t)
			lines := []string{"hello", "second line", "third"}
			for _, l := range lines {
				require.NoError(t, st.Send(ctx, fullduplex.TextSymbol(l)))
			}
			require.NoError(t, st.CloseSend(ctx))
			var turns [][]string
			var cur []string
			for {
				it, err := st.Receive(ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err)
				switch v := it.(type) {
				case fullduplex.Symbol:
					if txt, ok := v.TextValue(); ok && v.Role() == fullduplex.RoleModel {
						cur = append(cur, txt)
					}
				case fullduplex.StreamEvent:
					if v.Type == fullduplex.EventInterrupt {
						t.Fatalf("turn cut: %v", v)
					}
					if v.Type == fullduplex.EventStreamEnd {
						assert.Equal(t, fullduplex.TurnEnd{Turn: len(turns)}, v.Data)
						turns, cur = append(turns, cur), nil
					}
				}
			}
			assert.Equal(t, [][]string{{"echo: hello"}, {"echo: second line"}, {"echo: third"}}, turns)
		})
	}
}

// Spoken input, then CloseSend; the service answers once the audio stream
// has ended, with the input transcription, a text answer and turnComplete
// (what it does when the input ends in speech). The stream ends after that
// answer, whether its first frame arrives before CloseSend has returned or
// after: the answer started after the end of the input, so it answers all
// of it. With CloseSendWait an hour, waiting it out would fail the test on
// its deadline.
func TestCloseSendEndsAfterTheAnswerToSpeech(t *testing.T) {
	for i := range 20 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			_, st, c := start(t, geminitest.Options{}, gemini.Config{CloseSendWait: time.Hour})
			ctx := waitCtx(t)
			for range 5 {
				require.NoError(t, st.Send(ctx, fullduplex.AudioSymbol(geminitest.Tone(500, 16000, 20), 16000)))
			}
			answered := make(chan error, 1)
			go func() {
				answered <- func() error {
					if _, err := c.WaitFor(ctx, geminitest.IsAudioStreamEnd); err != nil {
						return err
					}
					return errors.Join(
						c.SendInputTranscription("where is gate four?", true),
						c.SendText("To the left."),
						c.SendTurnComplete())
				}()
			}()
			require.NoError(t, st.CloseSend(ctx))
			texts, terms := untilEOF(t, st)
			require.NoError(t, <-answered)
			assert.Equal(t, []string{"To the left."}, texts)
			require.Len(t, terms, 1)
			assert.Equal(t, fullduplex.TurnEnd{Turn: 0}, terms[0].Data)
		})
	}
}
