package livekit

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/playback"
	"github.com/livekit/media-sdk"
	"github.com/livekit/media-sdk/opus"
	"github.com/pion/webrtc/v4"
)

// trackRate is the rate of the published track: Opus in WebRTC is 48 kHz.
const trackRate = 48000

// trackFrame is one Opus frame: the pacer's step.
const trackFrame = 20 * time.Millisecond

// An output is the agent's published audio track: Write converts model
// audio to 48 kHz and queues it (internal/playback's conversion), and a
// pacer goroutine plays the queue into the track in real time, one 20 ms
// Opus frame per step, silence when the queue is empty. What the pacer has
// sent to the track is what the room has heard (PlaybackReporter).
//
// write is for one goroutine at a time (the Sink contract); flush, played,
// playing, level and close are safe from any goroutine.
type output struct {
	track *webrtc.TrackLocalStaticSample
	enc   media.PCM16Writer // Opus encoder writing to track; used by the pacer only
	q     *outQueue
	w     *playback.Writer
	meter *playback.Meter
	turn  atomic.Int64 // MetaTurn of the symbol write is converting (owned by write's goroutine)

	playing atomic.Bool // the pacer's latest step played queued audio
	stop    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

func newOutput(buffer, levelDecay time.Duration) (*output, error) {
	track, err := webrtc.NewTrackLocalStaticSample(webrtc.RTPCodecCapability{MimeType: webrtc.MimeTypeOpus}, "audio", "fullduplex-agent")
	if err != nil {
		return nil, fmt.Errorf("livekit: audio track: %w", err)
	}
	enc, err := opus.Encode(media.FromSampleWriter[opus.Sample](track, trackRate, trackFrame), 1, quietLogger())
	if err != nil {
		return nil, fmt.Errorf("livekit: opus encoder: %w", err)
	}
	o := &output{
		track: track,
		enc:   enc,
		q:     newOutQueue(int(buffer.Seconds() * trackRate)),
		meter: playback.NewMeter(levelDecay),
		stop:  make(chan struct{}),
	}
	o.w = playback.NewWriter(queueOutput{o}, trackRate, "livekit")
	return o, nil
}

// queueOutput is the playback.Output of an output: it tags samples with the
// turn of the symbol being written.
type queueOutput struct{ o *output }

func (q queueOutput) Generation() uint64 { return q.o.q.generation() }

func (q queueOutput) Push(ctx context.Context, gen uint64, s []int16) error {
	return q.o.q.push(ctx, gen, int(q.o.turn.Load()), s)
}

// start starts the pacer; close stops it.
func (o *output) start() {
	o.wg.Add(1)
	go o.pace()
}

// maxCatchUp is how many overdue frames the pacer sends at once: 100 ms.
const maxCatchUp = 5

// pace plays one frame per trackFrame on a drift-free clock, catching up on
// steps that are due.
func (o *output) pace() {
	defer o.wg.Done()
	buf := make([]int16, trackRate*int(trackFrame/time.Millisecond)/1000)
	start := time.Now()
	var steps int64
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
		}
		due := int64(time.Since(start)/trackFrame) + 1
		// A pacer starved of CPU (a loaded machine) does not send what is
		// long overdue: encoding it all could take longer than it covers,
		// and the loop would never end (nor close, which waits for it).
		// The skipped steps pull nothing: the queued audio plays late,
		// none of it is lost.
		if due-steps > maxCatchUp {
			steps = due - maxCatchUp
		}
		for ; steps < due; steps++ {
			select {
			case <-o.stop:
				return
			default:
			}
			k := o.q.pull(buf)
			clear(buf[k:])
			o.playing.Store(k > 0)
			o.meter.Note(buf, time.Now().UnixNano())
			// An encode or write error (no peer connection yet, or gone)
			// loses one frame of the room's audio; the clock goes on.
			_ = o.enc.WriteSample(buf)
		}
		t.Reset(time.Until(start.Add(time.Duration(steps) * trackFrame)))
	}
}

// write converts and queues an audio symbol (or a turn's tail at
// EventStreamEnd); it waits while the queue is full.
func (o *output) write(ctx context.Context, item fullduplex.StreamItem) error {
	if s, ok := item.(fullduplex.Symbol); ok && s.Modality == fullduplex.ModalityAudio {
		turn, ok := s.Turn()
		if !ok {
			turn = -1
		}
		o.turn.Store(int64(turn))
	}
	return o.w.Write(ctx, item)
}

func (o *output) flush() { o.q.clear() }

func (o *output) played(turn int) time.Duration {
	return time.Duration(o.q.playedSamples(turn)) * time.Second / trackRate
}

func (o *output) isPlaying() bool { return o.q.len() > 0 || o.playing.Load() }

func (o *output) level() float64 { return o.meter.Level(time.Now().UnixNano()) }

func (o *output) queued() time.Duration {
	return time.Duration(o.q.len()) * time.Second / trackRate
}

// close stops the pacer and fails later writes; idempotent.
func (o *output) close() {
	o.once.Do(func() {
		o.q.close()
		close(o.stop)
		o.wg.Wait()
		_ = o.enc.Close()
	})
}
