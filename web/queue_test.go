package web

import (
	"context"
	"testing"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A flush drops every queued audio frame, keeps the rest in order, and
// puts the clear message first; a producer waiting for room is let in.
func TestOutQueueFlush(t *testing.T) {
	q := newOutQueue(100)
	ctx := context.Background()
	audio := func(b byte) outItem {
		return outItem{messageType: websocket.BinaryMessage, data: []byte{b, b, b, b, b, b, b, b, b, b}, audio: true}
	}
	text := outItem{messageType: websocket.TextMessage, data: []byte("transcript")}
	for i := range 5 {
		require.NoError(t, q.push(ctx, nil, audio(byte(i))))
	}
	require.NoError(t, q.push(ctx, nil, text))
	for i := 5; i < 9; i++ {
		require.NoError(t, q.push(ctx, nil, audio(byte(i))))
	}
	// Full (100 bytes): the next push waits until the flush makes room.
	pushed := make(chan error, 1)
	go func() { pushed <- q.push(ctx, nil, audio(9)) }()
	it, ok := q.pop()
	require.True(t, ok)
	assert.Equal(t, byte(0), it.data[0])
	q.flush()
	require.NoError(t, <-pushed)

	var got []string
	for {
		it, ok := q.pop()
		if !ok {
			break
		}
		if it.audio {
			got = append(got, "audio")
		} else {
			got = append(got, string(it.data))
		}
	}
	// The push that waited may land before or after the flush's drop.
	if len(got) == 3 {
		assert.Equal(t, []string{`{"type":"clear"}`, "transcript", "audio"}, got)
	} else {
		assert.Equal(t, []string{`{"type":"clear"}`, "transcript"}, got)
	}
	assert.True(t, q.empty())
}

// push gives up with ctx's error, or when the connection ends.
func TestOutQueuePushGivesUp(t *testing.T) {
	q := newOutQueue(1)
	require.NoError(t, q.push(context.Background(), nil, outItem{data: []byte("ab")}))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.ErrorIs(t, q.push(ctx, nil, outItem{data: []byte("cd")}), context.Canceled)
	done := make(chan struct{})
	close(done)
	assert.ErrorIs(t, q.push(context.Background(), done, outItem{data: []byte("cd")}), ErrClosed)
}
