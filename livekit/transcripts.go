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

// transcripts sends transcript symbols to the room, one text stream per
// fragment, each tagged with its caption's segment.
//
// Methods are safe for concurrent use.
type transcripts struct {
	lp         *lksdk.LocalParticipant
	agentTrack string // the agent's track SID

	mu        sync.Mutex // guards userTrack
	userTrack string     // the track of the caller heard last
}

func newTranscripts(lp *lksdk.LocalParticipant, agentTrack string) *transcripts {
	return &transcripts{lp: lp, agentTrack: agentTrack}
}

func (t *transcripts) setUserTrack(id string) {
	t.mu.Lock()
	t.userTrack = id
	t.mu.Unlock()
}

// send sends a transcript symbol (text with MetaTranscript) to the room;
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
	track := t.agentTrack
	if role == fullduplex.RoleUser {
		t.mu.Lock()
		track = t.userTrack
		t.mu.Unlock()
	} else {
		role = fullduplex.RoleModel
	}
	t.lp.SendText(text, lksdk.StreamTextOptions{
		Topic: TranscriptionTopic,
		Attributes: map[string]string{
			AttrSegmentID:        fmt.Sprintf("%s-%d", role, turn),
			AttrTranscribedTrack: track,
			AttrFinal:            strconv.FormatBool(final),
		},
	})
}
