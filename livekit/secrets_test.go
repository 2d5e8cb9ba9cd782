package livekit

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestJoinErrorKeepsTokenOut: a join that fails says why without the
// token: with no server on the port, and when the server rejects the token
// (livekit-server quotes the token it rejects in its answer).
func TestJoinErrorKeepsTokenOut(t *testing.T) {
	tok := token(t, roomName(t), "agent")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := Join(ctx, Config{URL: "ws://127.0.0.1:1", Token: tok})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), tok)
	assert.Contains(t, err.Error(), "ws://127.0.0.1:1")

	// The server rejects a token signed with another secret.
	url := serverURL(t)
	bad, err := NewToken(TokenConfig{Room: roomName(t), Identity: "agent", APIKey: DevAPIKey, APISecret: "not-the-servers-secret-0123456789"})
	require.NoError(t, err)
	_, err = Join(ctx, Config{URL: url, Token: bad})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), bad)
	assert.NotContains(t, err.Error(), "eyJ", "no JWT")
}

// TestWorkerRejectedKeepsSecretOut: a worker whose secret the server
// rejects gets an error naming the HTTP status, without its secret or the
// token it signed.
func TestWorkerRejectedKeepsSecretOut(t *testing.T) {
	url := serverURL(t)
	const secret = "not-the-servers-secret-0123456789"
	w := NewWorker(WorkerConfig{URL: url, APIKey: DevAPIKey, APISecret: secret}, func(context.Context, *Room) error { return nil })
	err := w.Run(context.Background())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
	assert.NotContains(t, err.Error(), secret)
	assert.NotContains(t, err.Error(), "eyJ", "no JWT (the signed token)")
}
