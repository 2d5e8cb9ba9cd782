package livekit

import (
	"context"
	"fmt"
	"io"
	"sort"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/livekit/media-sdk"
	"github.com/livekit/media-sdk/opus"
	"github.com/livekit/media-sdk/rtp"
	"github.com/pion/webrtc/v4"
)

// Metadata keys of the audio symbols a Room yields.
const (
	// MetaIdentity (string) is the LiveKit identity of the participant
	// whose audio the symbol carries; with AllCallers, the loudest one in
	// the frame.
	MetaIdentity = "livekit_identity"
	// MetaIdentities ([]string, AllCallers only) names every participant
	// whose audio is mixed into the frame, loudest first.
	MetaIdentities = "livekit_identities"
)

// speakingRMS is the level (linear RMS) above which a caller's frame counts
// as speech in a mix: about -50 dBFS.
const speakingRMS = 0.003

// An input holds what the callers the agent listens to have said: each
// caller's audio decoded from Opus, resampled to the input rate and cut
// into frames, queued until Next takes it.
//
// All methods are safe for concurrent use.
type input struct {
	rate   int
	frame  int           // samples per frame
	period time.Duration // duration of a frame
	limit  int           // most frames queued per caller; older ones are dropped
	policy ListenPolicy

	mu      sync.Mutex // guards the fields below
	callers map[string]*caller
	chosen  string // FirstCaller: the caller once chosen
	heard   bool   // a caller has been listened to
	closed  bool
	dropped int64 // frames dropped for lack of room
	err     error // a caller's track could not be read; next returns it
	data    chan struct{}

	wg sync.WaitGroup // the track readers
}

// A caller is one participant's audio.
type caller struct {
	identity string
	frames   [][]int16   // queued frames, oldest first
	arrived  []time.Time // when each queued frame arrived
	tracks   int         // tracks being read
	left     bool        // the participant left
}

func newInput(rate int, frame time.Duration, limit time.Duration, policy ListenPolicy) *input {
	n := max(1, int(int64(rate)*int64(frame)/int64(time.Second)))
	return &input{
		rate: rate, frame: n, period: frame, limit: max(1, int(limit/frame)), policy: policy,
		callers: map[string]*caller{}, data: make(chan struct{}, 1),
	}
}

// accepts reports whether the agent listens to identity, choosing the
// first caller when the policy says so.
func (in *input) accepts(identity string) bool {
	in.mu.Lock()
	defer in.mu.Unlock()
	switch {
	case in.closed:
		return false
	case in.policy.all:
		return true
	case in.policy.identity != "":
		return identity == in.policy.identity
	case in.chosen == "":
		in.chosen = identity
		return true
	}
	return identity == in.chosen
}

// read decodes track until it ends, on a goroutine the input waits for in
// close.
func (in *input) read(track *webrtc.TrackRemote, identity string) error {
	if track.Codec().MimeType != webrtc.MimeTypeOpus {
		return fmt.Errorf("livekit: %s's audio track is %s, not Opus", identity, track.Codec().MimeType)
	}
	rs, err := pcm.NewResampler(trackRate, in.rate)
	if err != nil {
		return fmt.Errorf("livekit: %w", err)
	}
	w := &callerWriter{in: in, identity: identity, rs: rs}
	dec, err := opus.Decode(w, 1, quietLogger())
	if err != nil {
		return fmt.Errorf("livekit: opus decoder: %w", err)
	}
	in.mu.Lock()
	c := in.callerLocked(identity)
	c.tracks++
	in.heard = true
	in.mu.Unlock()
	in.wg.Add(1)
	go func() {
		defer in.wg.Done()
		h := rtp.HandleJitter(handlerCloser{&gapFiller{Handler: rtp.NewMediaStreamIn[opus.Sample](dec), w: w}})
		// HandleLoop ends when the track does (unsubscribed, the caller
		// left, or the room closed); a decoding error ends it too.
		_ = rtp.HandleLoop(track, h)
		in.mu.Lock()
		c.tracks--
		in.mu.Unlock()
		wake(in.data)
	}()
	return nil
}

func (in *input) callerLocked(identity string) *caller {
	c := in.callers[identity]
	if c == nil {
		c = &caller{identity: identity}
		in.callers[identity] = c
	}
	return c
}

// leave notes that a participant left the room.
func (in *input) leave(identity string) {
	in.mu.Lock()
	if c := in.callers[identity]; c != nil {
		c.left = true
	}
	in.mu.Unlock()
	wake(in.data)
}

// push queues a frame of a caller's audio.
func (in *input) push(identity string, f []int16) {
	in.mu.Lock()
	c := in.callerLocked(identity)
	c.frames = append(c.frames, f)
	c.arrived = append(c.arrived, time.Now())
	if len(c.frames) > in.limit {
		c.frames[0] = nil
		c.frames = c.frames[1:]
		c.arrived = c.arrived[1:]
		in.dropped++
	}
	in.mu.Unlock()
	wake(in.data)
}

// next returns the next frame as an audio symbol: one caller's, or with
// AllCallers the mix of every caller's next frame that is ready. It returns
// io.EOF once every caller it heard has left and their audio is taken, or
// after close.
func (in *input) next(ctx context.Context) (fullduplex.Symbol, error) {
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		in.mu.Lock()
		wait := in.waitLocked(time.Now())
		var sym fullduplex.Symbol
		ok := false
		if wait <= 0 {
			sym, ok = in.takeLocked()
		}
		done := in.closed || (in.heard && in.allGoneLocked())
		err := in.err
		in.mu.Unlock()
		if ok {
			return sym, nil
		}
		if err != nil {
			return fullduplex.Symbol{}, err
		}
		if done {
			return fullduplex.Symbol{}, io.EOF
		}
		var tick <-chan time.Time
		if wait > 0 {
			if timer == nil {
				timer = time.NewTimer(wait)
			} else {
				timer.Reset(wait)
			}
			tick = timer.C
		}
		select {
		case <-ctx.Done():
			return fullduplex.Symbol{}, ctx.Err()
		case <-in.data:
		case <-tick:
		}
	}
}

// waitLocked returns how long the AllCallers mix should wait before taking
// the next frame: the callers' tracks each deliver a frame every period,
// each on its own phase, so a frame that is ready waits, for at most one
// period after it arrived, for the frames of the other callers still
// sending. Without it, a reader that keeps up takes each caller's frame
// alone as it arrives and never mixes callers who speak at once. It returns
// 0 when the frame should be taken now (or no frame is queued).
func (in *input) waitLocked(now time.Time) time.Duration {
	if !in.policy.all || in.closed {
		return 0
	}
	var oldest time.Time
	missing := false
	for _, c := range in.callers {
		switch {
		case len(c.frames) > 0:
			if oldest.IsZero() || c.arrived[0].Before(oldest) {
				oldest = c.arrived[0]
			}
		case c.tracks > 0 && !c.left:
			missing = true
		}
	}
	if oldest.IsZero() || !missing {
		return 0
	}
	return oldest.Add(in.period).Sub(now)
}

// allGoneLocked reports whether every caller has left (or stopped
// publishing) with nothing queued.
func (in *input) allGoneLocked() bool {
	for _, c := range in.callers {
		if len(c.frames) > 0 || (!c.left && c.tracks > 0) {
			return false
		}
	}
	return true
}

type contribution struct {
	identity string
	rms      float64
	frame    []int16
}

func (in *input) takeLocked() (fullduplex.Symbol, bool) {
	var ready []contribution
	for id, c := range in.callers {
		if len(c.frames) == 0 {
			continue
		}
		f := c.frames[0]
		c.frames[0] = nil
		c.frames = c.frames[1:]
		c.arrived = c.arrived[1:]
		ready = append(ready, contribution{id, pcm.RMS(f), f})
		if !in.policy.all {
			break // one caller only
		}
	}
	if len(ready) == 0 {
		return fullduplex.Symbol{}, false
	}
	sort.Slice(ready, func(i, j int) bool { return ready[i].rms > ready[j].rms })
	mix := ready[0].frame
	for _, r := range ready[1:] {
		mix = pcm.Mix(mix, r.frame)
	}
	sym := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, mix), in.rate)
	meta := map[string]any{
		fullduplex.MetaSampleRate: in.rate,
		fullduplex.MetaChannels:   1,
		fullduplex.MetaRole:       fullduplex.RoleUser,
		MetaIdentity:              ready[0].identity,
	}
	if in.policy.all {
		ids := make([]string, 0, len(ready))
		for _, r := range ready {
			if r.rms >= speakingRMS || len(ids) == 0 {
				ids = append(ids, r.identity)
			}
		}
		meta[MetaIdentities] = ids
	}
	sym.Metadata = meta
	return sym, true
}

// closeInput ends the input (the room disconnected): next returns what is
// queued, then io.EOF.
func (in *input) closeInput() {
	in.mu.Lock()
	in.closed = true
	in.mu.Unlock()
	wake(in.data)
}

// fail makes next return err once the queued audio is taken.
func (in *input) fail(err error) {
	in.mu.Lock()
	if in.err == nil {
		in.err = err
	}
	in.mu.Unlock()
	wake(in.data)
}

// close ends the input and waits for the track readers, which end when the
// room's peer connection closes.
func (in *input) close() {
	in.closeInput()
	in.wg.Wait()
}

// stats returns the frames dropped because Next fell behind.
func (in *input) droppedFrames() int64 {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.dropped
}

// A callerWriter is the end of one caller's decoding chain: it resamples
// the decoder's 48 kHz PCM to the input rate and cuts it into frames.
// The jitter buffer calls it from its own goroutine as well as the track
// reader's, never two at once (the buffer's mutex).
type callerWriter struct {
	in       *input
	identity string
	rs       *pcm.Resampler
	res      []int16
	cur      []int16
	written  int64 // samples written at the track's rate
}

func (w *callerWriter) String() string  { return "fullduplex(" + w.identity + ")" }
func (w *callerWriter) SampleRate() int { return trackRate }
func (w *callerWriter) Close() error    { return nil }

func (w *callerWriter) WriteSample(s media.PCM16Sample) error {
	w.written += int64(len(s))
	w.res = w.rs.Process(w.res[:0], s)
	src := w.res
	for len(src) > 0 {
		if w.cur == nil {
			w.cur = make([]int16, 0, w.in.frame)
		}
		k := min(len(src), w.in.frame-len(w.cur))
		w.cur = append(w.cur, src[:k]...)
		src = src[k:]
		if len(w.cur) == w.in.frame {
			w.in.push(w.identity, w.cur)
			w.cur = nil
		}
	}
	return nil
}

// handlerCloser gives an rtp.Handler the Close the jitter buffer needs.
type handlerCloser struct{ rtp.Handler }

func (handlerCloser) Close() {}
