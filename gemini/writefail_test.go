package gemini

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A write that fails because the connection broke is kept and sent on the
// next connection. The send lock is held across the break so that the write,
// not the reader, is first to notice.
func TestWriteFailureIsResentAfterReconnect(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: "k"})
	st := NewStream(Config{BaseURL: srv.URL(), APIKey: "k"})
	defer st.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	require.NoError(t, st.Connect(ctx))

	require.NoError(t, st.lockSend(ctx))
	_ = st.send.current().Close()
	m, err := symbolMsg(fullduplex.TextSymbol("after the break"), 16000)
	require.NoError(t, err)
	require.NoError(t, st.deliverLocked(ctx, &m))
	assert.Nil(t, st.send.current(), "sends now wait for the next connection")
	st.unlockSend()

	c1, err := srv.WaitConn(ctx, 1)
	require.NoError(t, err)
	got, err := c1.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	txt, _ := got.Text()
	assert.Equal(t, "after the break", txt)
	for {
		it, err := st.Receive(ctx)
		require.NoError(t, err)
		if ev, ok := it.(fullduplex.StreamEvent); ok && ev.Type == fullduplex.EventReconnect {
			assert.Equal(t, "connection lost", ev.Data.(ReconnectInfo).Reason)
			break
		}
	}
}

func TestIsWriteError(t *testing.T) {
	assert.False(t, isWriteError(errString("deepMarshal: unable to marshal input")))
	assert.True(t, isWriteError(errString("write tcp 127.0.0.1:1: broken pipe")))
}

type errString string

func (e errString) Error() string { return string(e) }
