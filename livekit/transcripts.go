package livekit

import (
	"fmt"
	"strconv"
	"sync"

	"github.com/fullduplex-go/fullduplex"
	lksdk "github.com/livekit/server-sdk-go/v2"
)

// TranscriptionTopic is the text stream topic of transcripts, as LiveKit's
// agents and client components use it.
const TranscriptionTopic = "lk.transcription"

// Attributes of a transcript's text stream, as LiveKit clients read them.
const (
	AttrSegmentID        = "lk.segment_id"           // one per role and turn: the fragments of one caption
	AttrTranscribedTrack = "lk.transcribed_track_id" // the audio track the words were spoken on
	AttrFinal            = "lk.transcription_final"  // "true" once the text will not be revised
)

// transcriptQueue bounds the captions waiting to be sent; beyond it new
// ones are dropped (a caption is best-effort: audio never waits for one).
const transcriptQueue = 64

// transcripts sends transcript symbols to the room, one text stream per
// fragment, each tagged with its caption's segment, from one goroutine of
// its own so that Write never waits on the data channel.
//
// Methods are safe for concurrent use.
type transcripts struct {
	lp       *lksdk.LocalParticipant
	queue    chan caption
	stop     chan struct{}
	done     chan struct{}
	stopOnce sync.Once

	mu         sync.Mutex // guards the fields below
	agentTrack string     // the agent's track SID
	userTrack  string     // the track of the caller heard last
	dropped    int64      // captions dropped because the queue was full
}

type caption struct {
	text  string
	attrs map[string]string
}

func newTranscripts(lp *lksdk.LocalParticipant) *transcripts {
	t := &transcripts{
		lp:    lp,
		queue: make(chan caption, transcriptQueue),
		stop:  make(chan struct{}),
		done:  make(chan struct{}),
	}
	go t.loop()
	return t
}

func (t *transcripts) setAgentTrack(id string) {
	t.mu.Lock()
	t.agentTrack = id
	t.mu.Unlock()
}

func (t *transcripts) setUserTrack(id string) {
	t.mu.Lock()
	t.userTrack = id
	t.mu.Unlock()
}

// send queues a transcript symbol (text with MetaTranscript) for the room;
// other text is not a caption and is left out.
func (t *transcripts) send(s fullduplex.Symbol) {
	text, ok := s.TextValue()
	if !ok || text == "" {
		return
	}
	if tr, _ := s.Metadata[fullduplex.MetaTranscript].(bool); !tr {
		return
	}
	role, _ := s.Metadata[fullduplex.MetaRole].(string)
	turn, _ := s.Metadata[fullduplex.MetaTurn].(int)
	final, _ := s.Metadata[fullduplex.MetaFinal].(bool)
	t.mu.Lock()
	track := t.agentTrack
	if role == fullduplex.RoleUser {
		track = t.userTrack
	} else {
		role = fullduplex.RoleModel
	}
	t.mu.Unlock()
	c := caption{text, map[string]string{
		AttrSegmentID:        fmt.Sprintf("%s-%d", role, turn),
		AttrTranscribedTrack: track,
		AttrFinal:            strconv.FormatBool(final),
	}}
	select {
	case <-t.stop:
	case t.queue <- c:
	default:
		t.mu.Lock()
		t.dropped++
		t.mu.Unlock()
	}
}

// loop sends the queued captions, one text stream each, until close.
func (t *transcripts) loop() {
	defer close(t.done)
	for {
		select {
		case <-t.stop:
			return
		case c := <-t.queue:
			t.stream(c)
		}
	}
}

// stream sends one caption as a text stream and returns once the SDK has
// written it (its writer goroutine has ended): at most the SDK's connect
// timeout when the room's connection is gone.
func (t *transcripts) stream(c caption) {
	w := t.lp.StreamText(lksdk.StreamTextOptions{Topic: TranscriptionTopic, Attributes: c.attrs})
	written := make(chan struct{})
	onDone := func() { close(written) }
	w.Write(c.text, &onDone)
	<-written
	w.Close()
}

// close stops sending (captions still queued are dropped) and waits for
// the caption being sent.
func (t *transcripts) close() {
	t.stopOnce.Do(func() { close(t.stop) })
	<-t.done
}

func (t *transcripts) droppedCaptions() int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.dropped
}
