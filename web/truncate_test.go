package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/openai"
	"github.com/fullduplex-go/fullduplex/openai/openaitest"
	"github.com/fullduplex-go/fullduplex/web"
)

// End to end in the browser: an OpenAI answer of 1 s reaches the page,
// which says it played 300 ms of it, and the user cuts in. The truncation
// the service gets says what the page played, not what was sent.
func TestPageTruncatesTheOpenAIAnswerToWhatItPlayed(t *testing.T) {
	oa := openaitest.New(t, openaitest.Options{})
	var answer [][]byte
	for range 10 {
		answer = append(answer, openaitest.Tone(440, 24000, 100))
	}
	oa.Script(openaitest.Reply{Audio: answer, Text: []string{"one ", "two"}})
	type served struct {
		conn    *web.Conn
		session *fullduplex.DuplexSession
	}
	calls := make(chan served, 1)
	_, srv := serveWith(t, web.Config{Serve: func(ctx context.Context, c *web.Conn) error {
		st := openai.NewStream(openai.Config{BaseURL: oa.URL(), APIKey: oa.APIKey()})
		defer st.Close()
		session := fullduplex.NewDuplexSession(st)
		calls <- served{c, session}
		question := fullduplextest.SliceSource(fullduplex.TextSymbol("q"))
		return session.RunDuplex(ctx, fullduplex.MergeSources(question, c), c)
	}})
	ws := dial(t, srv)
	defer ws.Close()
	require.IsType(t, web.ServerReady{}, read(t, ws))
	sv := <-calls
	send(t, ws, web.ClientHello{SampleRate: 16000})

	// The page gets the whole answer and plays 300 ms of it.
	turn := -1
	var audio time.Duration
	for done := false; !done; {
		switch v := read(t, ws).(type) {
		case web.ServerAudio:
			audio += time.Duration(len(v.PCM)/2) * time.Second / time.Duration(v.Rate)
			turn = v.Turn
		case web.ServerTurnEnd:
			done = true
		}
	}
	require.Equal(t, time.Second, audio)
	send(t, ws, web.ClientPlayed{Turn: turn, PlayedMS: 300, QueuedMS: 700})
	require.Eventually(t, func() bool { return sv.conn.Played(turn) == 300*time.Millisecond }, 10*time.Second, time.Millisecond)

	sv.session.Interrupt()
	ctx := context.Background()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := oa.WaitConn(ctx, 0)
	require.NoError(t, err)
	ev, err := conn.WaitFor(ctx, openaitest.IsType("conversation.item.truncate"))
	require.NoError(t, err)
	ms, ok := ev.AudioEndMS()
	require.True(t, ok)
	assert.Equal(t, 300, ms, "audio_end_ms is what the page played")
}
