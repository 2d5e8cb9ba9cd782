package livekit

import (
	"context"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heard reads the agent's input until ctx is done and counts, per
// identity, the loud frames it heard from them (MetaIdentities with
// AllCallers, MetaIdentity otherwise), and the frames where both spoke.
type heard struct {
	loud     map[string]int
	together int
	frames   int
	bad      []string // problems with a symbol's shape
}

func listen(ctx context.Context, r *Room) heard {
	h := heard{loud: map[string]int{}}
	for {
		s, err := r.Next(ctx)
		if err != nil {
			return h
		}
		h.frames++
		if s.SampleRate() != 16000 || s.Duration() != 20*time.Millisecond || s.Metadata[fullduplex.MetaRole] != fullduplex.RoleUser {
			h.bad = append(h.bad, s.MIMEType)
		}
		samples, _ := pcm.DecodeInt16(nil, s.Data)
		if pcm.DBFS(samples) < -40 {
			continue
		}
		ids, ok := s.Metadata[MetaIdentities].([]string)
		if !ok {
			id, _ := s.Metadata[MetaIdentity].(string)
			ids = []string{id}
		}
		for _, id := range ids {
			h.loud[id]++
		}
		if len(ids) > 1 {
			h.together++
		}
	}
}

// TestListenPolicies: with two callers talking at once, FirstCaller hears
// the first to join only, Identity the named one only, AllCallers both,
// mixed, with both identities in the metadata of the frames they share.
func TestListenPolicies(t *testing.T) {
	url := serverURL(t)
	hello, stop := readWAV(t, "hello.wav"), readWAV(t, "interrupt.wav")
	for _, tc := range []struct {
		policy ListenPolicy
		want   []string // who is heard
	}{
		{FirstCaller(), []string{"alice"}},
		{Identity("bob"), []string{"bob"}},
		{AllCallers(), []string{"alice", "bob"}},
	} {
		t.Run(tc.policy.String(), func(t *testing.T) {
			name := roomName(t)
			agent := joinAgent(t, url, name, Config{Listen: tc.policy})
			defer agent.Close()
			alice := joinCaller(t, url, name, "alice")
			defer alice.leave()
			// FirstCaller listens to whichever track it subscribes to
			// first: make that alice's before bob joins.
			select {
			case <-alice.subd:
			case <-time.After(20 * time.Second):
				t.Fatal("no one subscribed to alice's track within 20 s")
			}
			bob := joinCaller(t, url, name, "bob")
			defer bob.leave()

			ctx, cancel := context.WithCancel(context.Background())
			res := make(chan heard, 1)
			go func() { res <- listen(ctx, agent) }()
			// Both speak at once only if the agent hears both from the
			// start: wait for both subscriptions before either speaks.
			for _, c := range []*testCaller{alice, bob} {
				select {
				case <-c.subd:
				case <-time.After(20 * time.Second):
					t.Fatal("no one subscribed to a caller's track within 20 s")
				}
			}
			alice.say(t, hello)
			bob.say(t, stop)
			alice.say(t, silence(2*time.Second))
			bob.say(t, silence(2*time.Second))
			// Both tracks have played out: the speech reached the agent
			// long before their last 2 s of silence.
			alice.track.WaitForPlayout()
			bob.track.WaitForPlayout()
			cancel()
			h := <-res
			assert.Empty(t, h.bad)
			for _, id := range []string{"alice", "bob"} {
				if contains(tc.want, id) {
					assert.Greater(t, h.loud[id], 25, "hears %s", id)
				} else {
					assert.Zero(t, h.loud[id], "does not hear %s", id)
				}
			}
			if len(tc.want) == 2 {
				assert.Positive(t, h.together, "frames where both spoke name both")
			}
			require.Zero(t, agent.Stats().DroppedFrames)
		})
	}
}

func contains(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestMixWaitsForOtherCallers: with AllCallers, a caller's frame that is
// ready waits (at most a frame period) for the frame of another caller
// whose track is being read, so a reader that keeps up still mixes them;
// once everyone sending has a frame queued, Next takes it at once.
func TestMixWaitsForOtherCallers(t *testing.T) {
	// A long frame period, so the wait never runs out before bob's frame.
	in := newInput(16000, 10*time.Second, 100*time.Second, AllCallers())
	in.mu.Lock()
	in.callerLocked("alice").tracks = 1
	in.callerLocked("bob").tracks = 1
	in.heard = true
	in.mu.Unlock()
	loud := func() []int16 {
		f := make([]int16, in.frame)
		for i := range f {
			f[i] = 8000
		}
		return f
	}
	in.push("alice", loud())
	res := make(chan fullduplex.Symbol, 1)
	go func() {
		s, err := in.next(context.Background())
		assert.NoError(t, err)
		res <- s
	}()
	in.push("bob", loud())
	s := <-res
	assert.ElementsMatch(t, []string{"alice", "bob"}, s.Metadata[MetaIdentities])
}
