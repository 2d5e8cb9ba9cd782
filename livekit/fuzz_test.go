package livekit

import (
	"context"
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/livekit/media-sdk/opus"
	"github.com/livekit/media-sdk/rtp"
	"github.com/livekit/protocol/livekit"
	pionrtp "github.com/pion/rtp"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/proto"
)

// FuzzCallerAudio feeds arbitrary RTP payloads to a caller's decoding chain
// (Opus decoder, resampler, framer): no panic, every frame whole, the queue
// bounded. An execution takes about 0.5 ms and 40 KB (the decoder's state
// is Go memory), so it neither hangs nor grows; make fuzz runs it for a
// count of executions rather than a duration, because a duration can end
// in "context deadline exceeded" with no crasher on a contended machine
// (go.dev/issue/75804): the one failure seen here.
func FuzzCallerAudio(f *testing.F) {
	f.Add([]byte{0xf8, 0xff, 0xfe}) // an Opus DTX/silence frame
	f.Add([]byte{})
	f.Add([]byte{0x78, 0x01, 0x02, 0x03})
	f.Fuzz(func(t *testing.T, payload []byte) {
		in := newInput(16000, defaultFrame, 100*defaultFrame, FirstCaller())
		rs, err := pcm.NewResampler(trackRate, in.rate)
		require.NoError(t, err)
		dec, err := opus.Decode(&callerWriter{in: in, identity: "x", rs: rs}, 1, quietLogger())
		require.NoError(t, err)
		h := rtp.NewMediaStreamIn[opus.Sample](dec)
		for i := range 3 {
			_ = h.HandleRTP(&pionrtp.Header{SequenceNumber: uint16(i)}, payload)
		}
		in.mu.Lock()
		defer in.mu.Unlock()
		for _, c := range in.callers {
			require.LessOrEqual(t, len(c.frames), in.limit)
			for _, fr := range c.frames {
				require.Len(t, fr, in.frame)
			}
		}
	})
}

type fakeSender struct{ sent []*livekit.WorkerMessage }

func (f *fakeSender) send(m *livekit.WorkerMessage) error {
	f.sent = append(f.sent, m)
	return nil
}

// FuzzServerMessage feeds arbitrary server frames to the worker: no panic,
// every job offer answered, never more jobs accepted than MaxJobs.
func FuzzServerMessage(f *testing.F) {
	offer, _ := proto.Marshal(&livekit.ServerMessage{Message: &livekit.ServerMessage_Availability{Availability: &livekit.AvailabilityRequest{Job: &livekit.Job{Id: "AJ_1", Room: &livekit.Room{Name: "r"}}}}})
	term, _ := proto.Marshal(&livekit.ServerMessage{Message: &livekit.ServerMessage_Termination{Termination: &livekit.JobTermination{JobId: "AJ_1"}}})
	f.Add(offer)
	f.Add(term)
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		m := &livekit.ServerMessage{}
		if proto.Unmarshal(b, m) != nil {
			return
		}
		// Assignments are left out: they join a room (the integration
		// tests cover them).
		if m.GetAssignment() != nil {
			return
		}
		w := NewWorker(WorkerConfig{MaxJobs: 1}, func(context.Context, *Room) error { return nil })
		s := &fakeSender{}
		for range 3 {
			w.handleMessage(context.Background(), s, m)
		}
		w.mu.Lock()
		require.LessOrEqual(t, len(w.jobs)+len(w.reserved), 1)
		w.mu.Unlock()
		if m.GetAvailability().GetJob() != nil {
			answers := 0
			for _, sm := range s.sent {
				if sm.GetAvailability() != nil {
					answers++
				}
			}
			require.Equal(t, 3, answers)
		}
	})
}
