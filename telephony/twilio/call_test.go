package twilio_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/telephony/twilio"
	"github.com/fullduplex-go/fullduplex/telephony/twilio/twiliotest"
)

// sessionServer serves every call with a DuplexSession over fs.
func sessionServer(t *testing.T, fs *fullduplextest.FakeStream, cfg twilio.Config) *server {
	return newServer(t, &twilio.Handler{Config: cfg}, func(ctx context.Context, call *twilio.Call) error {
		return fullduplex.NewDuplexSession(fs).RunDuplex(ctx, call, call)
	})
}

// syncDTMF sends digit and waits for OnDTMF to see it: the call's reader
// handles messages in order, so everything the client sent before has been
// handled too.
func syncDTMF(ctx context.Context, t *testing.T, c *twiliotest.Client, digits <-chan string, digit string) {
	t.Helper()
	require.NoError(t, c.SendDTMF(digit))
	select {
	case got := <-digits:
		require.Equal(t, digit, got)
	case <-ctx.Done():
		t.Fatal("OnDTMF was not called")
	}
}

func TestCallThroughSession(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	digits := make(chan string, 8)
	srv := sessionServer(t, fs, twilio.Config{OnDTMF: func(_ *twilio.Call, d string) { digits <- d }})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{
		CallSid:          "CA11112222333344445555666677778888",
		CustomParameters: map[string]string{"From": "+15550001111", "To": "+15550002222", "lang": "en"},
	})
	require.NoError(t, err)
	defer client.Close()
	sv := srv.next(ctx, t)
	call := sv.call

	// Per-call metadata.
	assert.Equal(t, "CA11112222333344445555666677778888", call.CallSid())
	assert.Equal(t, "MZ00000000000000000000000000000001", call.StreamSid())
	assert.Equal(t, "+15550001111", call.From())
	assert.Equal(t, "+15550002222", call.To())
	assert.Equal(t, "en", call.Start().CustomParameters["lang"])

	// The caller speaks: every 20 ms frame reaches the backend in order,
	// as 16 kHz PCM at the level it was spoken.
	in := speech(t)
	require.NoError(t, client.SendAudio(in))
	frames := (len(in) + twiliotest.FrameSamples - 1) / twiliotest.FrameSamples
	sent, err := fs.WaitSent(ctx, frames)
	require.NoError(t, err)
	for i, s := range sent {
		require.Equal(t, fullduplex.ModalityAudio, s.Modality)
		require.Equal(t, 16000, s.SampleRate())
		require.Equal(t, fullduplex.RoleUser, s.Role())
		require.Equal(t, i+1, s.Metadata[twilio.MetaChunk], "frame %d in order", i)
	}
	heard := pcmOf(t, sent)
	assert.InDelta(t, 2*len(in), len(heard), 64, "twice the samples, less the resampler's delay")
	assert.InDelta(t, pcm.DBFS(pcm.AppendMuLawDecoded(nil, pcm.AppendMuLaw(nil, in))), pcm.DBFS(heard), 0.5, "level kept")

	// The model answers: 1 s at 24 kHz reaches the caller as 8 kHz μ-law,
	// each chunk followed by a mark.
	answer := tone(440, 24000, time.Second)
	for i := range 10 {
		fs.Emit(modelAudio(answer[i*4800:(i+1)*4800], 24000, 1))
	}
	fs.EmitEvent(fullduplex.EventStreamEnd, nil)
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Samples >= 8000 }))
	got := client.Audio()
	assert.Equal(t, 8000, len(got), "1 s at 8 kHz, the resampler's tail included")
	snr, err := pcm.ToneSNR(got[200:], 440, twilio.Rate)
	require.NoError(t, err)
	assert.Greater(t, snr, 30.0, "the tone survives resampling and μ-law")

	// The fake plays at once and echoes every mark: the whole turn counts
	// as played.
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Marks == s.Media && s.Echoed == s.Marks }))
	syncDTMF(ctx, t, client, digits, "1")
	assert.Equal(t, time.Second, call.Played(1))
	assert.Zero(t, call.Played(2))

	// DTMF keys arrive in order.
	for _, d := range []string{"2", "#", "*"} {
		require.NoError(t, client.SendDTMF(d))
	}
	for _, d := range []string{"2", "#", "*"} {
		assert.Equal(t, d, <-digits)
	}
	assert.Zero(t, client.Clears())

	// The caller hangs up: Serve's ctx ends, nothing is logged.
	require.NoError(t, client.Hangup())
	err = sv.result(ctx, t)
	if err != nil {
		assert.ErrorIs(t, err, context.Canceled)
	}
	<-call.Done()
	assert.NoError(t, call.Err())
	assert.Len(t, fs.Sent(), frames, "no frame lost")
	assert.ErrorIs(t, call.Write(ctx, modelAudio(answer[:480], 24000, 2)), twilio.ErrClosed)
	assert.Empty(t, srv.log.String())
}

func TestBargeInClearsAndPlayedStopsAtTheCut(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	digits := make(chan string, 8)
	srv := sessionServer(t, fs, twilio.Config{OnDTMF: func(_ *twilio.Call, d string) { digits <- d }})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{ManualPlayback: true})
	require.NoError(t, err)
	defer client.Close()
	call := srv.next(ctx, t).call

	// 1 s of the model's turn 1 reaches Twilio's buffer; 300 ms of it plays.
	answer := tone(440, 24000, time.Second)
	for i := range 10 {
		fs.Emit(modelAudio(answer[i*4800:(i+1)*4800], 24000, 1))
	}
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Marks == 10 }))
	played, err := client.Play(300 * time.Millisecond)
	require.NoError(t, err)
	require.Equal(t, 300*time.Millisecond, played)
	syncDTMF(ctx, t, client, digits, "1")
	heard := call.Played(1)
	assert.Greater(t, heard, 200*time.Millisecond)
	assert.LessOrEqual(t, heard, 300*time.Millisecond, "no more than was played")
	media := len(client.Audio())

	// Barge-in: the backend cuts the turn; the session flushes the call,
	// which sends clear. Twilio echoes the marks of the dropped audio, and
	// they do not count as played.
	fs.EmitEvent(fullduplex.EventInterrupt, nil)
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Clears == 1 && s.Echoed == 10 }))
	syncDTMF(ctx, t, client, digits, "2")
	assert.Equal(t, heard, call.Played(1), "the dropped audio was not heard")

	// Audio of the cut turn that still arrives is dropped; the next turn
	// plays.
	fs.Emit(modelAudio(answer[:4800], 24000, 1))
	next := tone(880, 24000, 400*time.Millisecond)
	fs.Emit(modelAudio(next[:4800], 24000, 2), modelAudio(next[4800:], 24000, 2))
	fs.EmitEvent(fullduplex.EventStreamEnd, nil)
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Samples >= media+3200 && s.Marks == s.Media }))
	after := client.Audio()[media:]
	assert.Equal(t, 3200, len(after), "only turn 2 after the clear")
	snr, err := pcm.ToneSNR(after[200:], 880, twilio.Rate)
	require.NoError(t, err)
	assert.Greater(t, snr, 30.0, "nothing of turn 1 after the clear")

	_, err = client.Play(time.Second)
	require.NoError(t, err)
	syncDTMF(ctx, t, client, digits, "3")
	assert.Equal(t, 400*time.Millisecond, call.Played(2))
	assert.Equal(t, heard, call.Played(1))
}

func TestUserInterruptSendsClear(t *testing.T) {
	ctx := testCtx(t)
	fs := fullduplextest.NewFakeStream()
	var session *fullduplex.DuplexSession
	ready := make(chan struct{})
	srv := newServer(t, &twilio.Handler{Config: twilio.Config{OnDTMF: func(*twilio.Call, string) {
		<-ready
		session.Interrupt() // "press * to stop it talking"
	}}}, func(ctx context.Context, call *twilio.Call) error {
		session = fullduplex.NewDuplexSession(fs)
		close(ready)
		return session.RunDuplex(ctx, call, call)
	})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{ManualPlayback: true})
	require.NoError(t, err)
	defer client.Close()
	srv.next(ctx, t)
	fs.Emit(modelAudio(tone(440, 24000, 200*time.Millisecond), 24000, 1))
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Marks == 1 }))
	require.NoError(t, client.SendDTMF("*"))
	require.NoError(t, client.Wait(ctx, func(s twiliotest.Snapshot) bool { return s.Clears == 1 }))
	require.NoError(t, fs.WaitInterrupts(ctx, 1), "the backend is told too")
}

func TestServeReturningSendsWhatItWroteThenCloses(t *testing.T) {
	ctx := testCtx(t)
	goodbye := tone(440, 16000, time.Second)
	srv := newServer(t, &twilio.Handler{}, func(ctx context.Context, call *twilio.Call) error {
		for i := range 50 {
			if err := call.Write(ctx, modelAudio(goodbye[i*640:(i+1)*640], 16000, 1)); err != nil {
				return err
			}
		}
		return call.Write(ctx, fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))
	})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{})
	require.NoError(t, err)
	defer client.Close()
	sv := srv.next(ctx, t)
	require.NoError(t, sv.result(ctx, t))
	require.NoError(t, client.WaitEnded(ctx))
	assert.Equal(t, 8000, len(client.Audio()), "everything written before Serve returned was sent")
	<-sv.call.Done()
	assert.ErrorIs(t, sv.call.Err(), twilio.ErrClosed)
	assert.Empty(t, srv.log.String())
}

// TestStreamFailures: a malformed frame, an oversized frame and an abrupt
// disconnect end the call with a clear error, after every frame received
// before them has reached the backend.
func TestStreamFailures(t *testing.T) {
	for _, tc := range []struct {
		name string
		fail func(c *twiliotest.Client) error
		want error
		text string
	}{
		{"malformed", func(c *twiliotest.Client) error {
			return c.SendRaw([]byte(`{"event":"media","media":{"payload":"@@@"}}`))
		}, twilio.ErrMalformed, "media payload"},
		{"not JSON", func(c *twiliotest.Client) error { return c.SendRaw([]byte(`{"event":`)) }, twilio.ErrMalformed, "malformed"},
		{"oversized", func(c *twiliotest.Client) error {
			return c.SendRaw(make([]byte, twilio.MaxMessage+1))
		}, twilio.ErrMalformed, "larger than 65536 bytes"},
		{"abrupt close", func(c *twiliotest.Client) error { c.Close(); return nil }, twilio.ErrDisconnected, "without stop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := testCtx(t)
			fs := fullduplextest.NewFakeStream()
			srv := sessionServer(t, fs, twilio.Config{})
			client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{})
			require.NoError(t, err)
			defer client.Close()
			sv := srv.next(ctx, t)
			in := speech(t)[:25*twiliotest.FrameSamples] // 500 ms
			require.NoError(t, client.SendAudio(in))
			require.NoError(t, tc.fail(client))

			err = sv.result(ctx, t)
			require.Error(t, err, "RunDuplex ends")
			<-sv.call.Done()
			require.ErrorIs(t, sv.call.Err(), tc.want)
			assert.Contains(t, sv.call.Err().Error(), tc.text)
			assert.Len(t, fs.Sent(), 25, "every frame before the failure reached the backend")
			srv.log.waitFor(ctx, t, tc.text) // the handler logs why the call ended
		})
	}
}

func TestHandshakeErrors(t *testing.T) {
	ctx := testCtx(t)
	srv := newServer(t, &twilio.Handler{}, func(context.Context, *twilio.Call) error {
		t.Error("Serve called without a start")
		return nil
	})
	for _, tc := range []struct{ name, first, text string }{
		{"media before start", `{"event":"media","media":{"payload":""}}`, "media message before start"},
		{"not JSON", `{"ev`, "unexpected end of JSON"},
		{"wrong format", `{"event":"start","start":{"streamSid":"MZ1","callSid":"CA1",` +
			`"mediaFormat":{"encoding":"audio/x-l16","sampleRate":16000,"channels":1}}}`, "unsupported media format audio/x-l16"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := dialRaw(ctx, t, srv.wsURL())
			require.NoError(t, conn.WriteMessage(1, []byte(tc.first)))
			_, _, err := conn.ReadMessage()
			require.Error(t, err, "the server closes the connection")
			srv.log.waitFor(ctx, t, tc.text)
		})
	}
}

func TestWriteRefusesBadAudio(t *testing.T) {
	ctx := testCtx(t)
	result := make(chan error, 1)
	srv := newServer(t, &twilio.Handler{}, func(ctx context.Context, call *twilio.Call) error {
		result <- call.Write(ctx, fullduplex.AudioSymbol([]byte{1, 2, 3}, 24000))
		return nil
	})
	client, err := twiliotest.Dial(ctx, srv.wsURL(), twiliotest.Options{})
	require.NoError(t, err)
	defer client.Close()
	require.ErrorIs(t, <-result, fullduplex.ErrInvalidSymbol)
	require.NoError(t, client.WaitEnded(ctx))
}
