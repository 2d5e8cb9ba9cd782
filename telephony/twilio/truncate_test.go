package twilio_test

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
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

// End to end over the phone: an OpenAI answer of 1 s reaches Twilio,
// 300 ms of it plays to the caller (the marks Twilio echoes), and the
// caller cuts in. The truncation the service gets says what the caller
// heard, Call.Played, not what was sent.
func TestPhoneCallTruncatesTheOpenAIAnswerToWhatTheCallerHeard(t *testing.T) {
	ctx := testCtx(t)
	oa := openaitest.New(t, openaitest.Options{})
	var answer [][]byte
	for range 10 {
		answer = append(answer, openaitest.Tone(440, 24000, 100))
	}
	oa.Script(openaitest.Reply{Audio: answer, Text: []string{"one ", "two"}})
	sessions := make(chan *fullduplex.DuplexSession, 1)
	digits := make(chan string, 8)
	srv := newServer(t, &twilio.Handler{Config: twilio.Config{OnDTMF: func(_ *twilio.Call, d string) { digits <- d }}},
		func(ctx context.Context, call *twilio.Call) error {
			st := openai.NewStream(openai.Config{BaseURL: oa.URL(), APIKey: oa.APIKey()})
			defer st.Close()
			session := fullduplex.NewDuplexSession(st)
			sessions <- session
			question := fullduplextest.SliceSource(fullduplex.TextSymbol("q"))
			return session.RunDuplex(ctx, fullduplex.MergeSources(question, call), call)
		})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{ManualPlayback: true})
	require.NoError(t, err)
	defer client.Close()
	sv := srv.next(ctx, t)
	call := sv.call
	session := <-sessions

	// The whole answer is in Twilio's buffer; the caller hears 300 ms.
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Marks >= 10 })) // and the resampler's tail at the end of the turn
	_, err = client.Play(300 * time.Millisecond)
	require.NoError(t, err)
	syncDTMF(ctx, t, client, digits, "1")
	heard := call.Played(1)
	require.Greater(t, heard, 200*time.Millisecond)
	require.LessOrEqual(t, heard, 300*time.Millisecond)

	session.Interrupt()
	conn, err := oa.WaitConn(ctx, 0)
	require.NoError(t, err)
	ev, err := conn.WaitFor(ctx, openaitest.IsType("conversation.item.truncate"))
	require.NoError(t, err)
	ms, ok := ev.AudioEndMS()
	require.True(t, ok)
	assert.Equal(t, int(heard.Milliseconds()), ms, "audio_end_ms is what the caller heard")
	require.NoError(t, client.Hangup())
	_ = sv.result(ctx, t)
}
