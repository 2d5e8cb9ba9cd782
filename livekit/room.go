package livekit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/redact"
	"github.com/livekit/protocol/livekit"
	lksdk "github.com/livekit/server-sdk-go/v2"
	"github.com/pion/webrtc/v4"
)

// A Room is a fullduplex agent joined to a LiveKit room as a participant.
// It is a fullduplex.Source of what the callers it listens to say (16-bit
// mono PCM symbols, MetaRole "user", the speaker's identity in
// MetaIdentity), and a fullduplex.Sink, Flusher and PlaybackReporter for
// what the model says: audio goes out on the agent's published track in
// real time, Flush drops what is queued at once, Played counts what the
// track has sent, and transcripts go to the room as LiveKit text streams
// (topic "lk.transcription") that LiveKit clients show as captions.
//
// Next is for one goroutine at a time and Write for one (the Source and
// Sink contracts); Flush, Played, Playing, Level, Stats and Close are safe
// from any goroutine.
type Room struct {
	cfg  Config
	lk   *lksdk.Room
	in   *input
	out  *output
	pub  *lksdk.LocalTrackPublication
	text *transcripts

	closeOnce sync.Once
}

var (
	_ fullduplex.Source           = (*Room)(nil)
	_ fullduplex.Sink             = (*Room)(nil)
	_ fullduplex.Flusher          = (*Room)(nil)
	_ fullduplex.PlaybackReporter = (*Room)(nil)
)

// Join connects to the room named by cfg.Token, publishes the agent's audio
// track and starts listening as cfg.Listen says. ctx bounds the connection
// only. Close the Room when done.
func Join(ctx context.Context, cfg Config) (*Room, error) {
	cfg = cfg.withDefaults()
	if cfg.Token == "" {
		return nil, errors.New("livekit: Config.Token is required (see NewToken)")
	}
	out, err := newOutput(cfg.Buffer, cfg.LevelDecay)
	if err != nil {
		return nil, err
	}
	r := &Room{
		cfg: cfg,
		in:  newInput(cfg.InputSampleRate, cfg.Frame, cfg.InputBuffer, cfg.Listen),
		out: out,
	}
	cb := lksdk.NewRoomCallback()
	cb.OnTrackSubscribed = r.onTrackSubscribed
	cb.OnParticipantDisconnected = func(p *lksdk.RemoteParticipant) { r.in.leave(p.Identity()) }
	cb.OnDisconnected = func() { r.in.closeInput() }
	r.lk = lksdk.NewRoom(cb)
	r.lk.SetLogger(quietLogger())
	r.text = newTranscripts(r.lk.LocalParticipant)
	if err := r.lk.JoinWithContextAndToken(ctx, cfg.URL, cfg.Token, lksdk.WithLogger(quietLogger()), lksdk.WithConnectTimeout(cfg.ConnectTimeout)); err != nil {
		r.text.close()
		r.in.close()
		return nil, fmt.Errorf("livekit: join %s: %w", cfg.URL, redact.Error(err, cfg.Token))
	}
	r.pub, err = r.lk.LocalParticipant.PublishTrack(out.track, &lksdk.TrackPublicationOptions{
		Name:   cfg.TrackName,
		Source: livekit.TrackSource_MICROPHONE,
	})
	if err != nil {
		r.Close()
		return nil, fmt.Errorf("livekit: publish the agent's track: %w", err)
	}
	r.text.setAgentTrack(r.pub.SID())
	out.start()
	return r, nil
}

func (r *Room) onTrackSubscribed(track *webrtc.TrackRemote, _ *lksdk.RemoteTrackPublication, p *lksdk.RemoteParticipant) {
	if track.Kind() != webrtc.RTPCodecTypeAudio || p.Kind() == lksdk.ParticipantAgent {
		return
	}
	if !r.in.accepts(p.Identity()) {
		return
	}
	if err := r.in.read(track, p.Identity()); err != nil {
		r.in.fail(err)
	}
	r.text.setUserTrack(track.ID())
}

// Name returns the room's name.
func (r *Room) Name() string { return r.lk.Name() }

// Identity returns the agent's identity in the room.
func (r *Room) Identity() string { return r.lk.LocalParticipant.Identity() }

// LiveKit returns the SDK's room, for what this package does not wrap
// (data messages, RPC, participants' attributes). Do not disconnect it:
// Close does.
func (r *Room) LiveKit() *lksdk.Room { return r.lk }

// Next returns the next frame of what the callers say (Config.Frame of
// audio at Config.InputSampleRate). It returns io.EOF when every caller it
// listened to has left (or the room closed), and ctx's error when ctx is
// done first; nothing is lost when ctx is cancelled.
func (r *Room) Next(ctx context.Context) (fullduplex.Symbol, error) {
	return r.in.next(ctx)
}

// Write plays the model's audio symbols into the room (resampled to the
// track's 48 kHz), waiting while Config.Buffer is full, and sends
// transcripts (text symbols with MetaTranscript) to the room as text
// streams. Other items pass. Errors: a malformed audio symbol (wrapping
// fullduplex.ErrInvalidSymbol), ErrClosed after Close, ctx's error.
func (r *Room) Write(ctx context.Context, item fullduplex.StreamItem) error {
	if s, ok := item.(fullduplex.Symbol); ok && s.Modality == fullduplex.ModalityText {
		if !r.cfg.DisableTranscripts {
			r.text.send(s)
		}
		return nil
	}
	if err := r.out.write(ctx, item); err != nil {
		if errors.Is(err, errQueueClosed) {
			return ErrClosed
		}
		return err
	}
	return nil
}

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("livekit: room closed")

// Flush drops the model audio queued for the room at once (barge-in): the
// track plays silence from its next 20 ms frame on.
func (r *Room) Flush() { r.out.flush() }

// Played returns how much of model turn turn's audio the agent's track has
// sent to the room (not what is queued, nor what Flush dropped).
func (r *Room) Played(turn int) time.Duration { return r.out.played(turn) }

// Playing reports whether model audio is queued or was sent in the latest
// frame (bargein.OutputMonitor).
func (r *Room) Playing() bool { return r.out.isPlaying() }

// Level is the recent output level, linear RMS with a decaying peak
// (bargein.OutputMonitor).
func (r *Room) Level() float64 { return r.out.level() }

// Stats describes a Room's queues: a snapshot, safe to copy and share.
type Stats struct {
	Queued          time.Duration // model audio waiting to be sent
	DroppedFrames   int64         // input frames dropped because Next fell behind
	DroppedCaptions int64         // transcripts not sent: too many were waiting
}

// Stats returns the Room's queue statistics.
func (r *Room) Stats() Stats {
	st := Stats{Queued: r.out.queued(), DroppedFrames: r.in.droppedFrames()}
	st.DroppedCaptions = r.text.droppedCaptions()
	return st
}

// Close leaves the room and stops every goroutine the Room started (the
// pacer, the caption sender, the track readers: it waits for the caption
// being sent, at most the SDK's connect timeout when the connection is
// gone); queued audio is dropped. The SDK closes its peer connections on a
// goroutine of its own that ends with them. Close is idempotent.
func (r *Room) Close() error {
	r.closeOnce.Do(func() {
		r.text.close()
		r.out.close()
		r.lk.Disconnect()
		r.in.close()
	})
	return nil
}
