package attention

import (
	"strings"
	"time"
	"unicode"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad"
)

// inputState is what the Source knows of one input; owned by Next.
type inputState struct {
	name       string
	ended      bool
	lastActive time.Time // media time of its last activity (speech, a line)

	det     *vad.EnergyDetector // its voice detector, at detRate
	detRate int
	samples []int16 // decoded audio of more than one channel, reused
	mono    []int16

	meta     map[string]any // shared Metadata of its labelled audio at metaRate
	metaRate int
	bare     map[string]any // shared Metadata of its labelled symbols that had none

	pending pendRing // audio kept for the pre-roll while it lacks the floor
	heard   string   // the end of its final transcripts, normalized, for a phrase across fragments

	frames [2]frameState // video, image
}

// A pendItem is audio held for the pre-roll, with its voice verdict and
// duration.
type pendItem struct {
	sym  fullduplex.Symbol
	loud bool
	d    time.Duration
}

// A pendRing is a FIFO of pendItems in a ring that grows as needed, with
// their total duration.
type pendRing struct {
	buf     []pendItem
	head, n int
	dur     time.Duration
}

func (r *pendRing) push(it pendItem) {
	if r.n == len(r.buf) {
		buf := make([]pendItem, max(8, 2*len(r.buf)))
		for k := range r.n {
			buf[k] = r.buf[(r.head+k)%len(r.buf)]
		}
		r.buf, r.head = buf, 0
	}
	r.buf[(r.head+r.n)%len(r.buf)] = it
	r.n++
	r.dur += it.d
}

func (r *pendRing) pop() (pendItem, bool) {
	if r.n == 0 {
		return pendItem{}, false
	}
	it := r.buf[r.head]
	r.buf[r.head] = pendItem{}
	r.head = (r.head + 1) % len(r.buf)
	r.n--
	r.dur -= it.d
	return it, true
}

// frameState is the budget state of one input's video or images.
type frameState struct {
	last     []byte
	lastSent time.Time
	sent     bool
}

// voice runs the input's detector over an audio symbol of rate and ch
// channels and returns whether
// the frame is speech and whether the detector is inside speech (hangover
// included). Audio it cannot decode counts as silence; the stream reports
// it.
func (st *inputState) voice(s fullduplex.Symbol, rate, ch int, minSpeech time.Duration) (frame, speaking bool) {
	if rate < 1000 || rate > 768000 || ch < 1 {
		return false, false
	}
	if st.det == nil || st.detRate != rate {
		d, err := vad.New(vad.Config{SampleRate: rate, MinSpeech: minSpeech})
		if err != nil {
			return false, false
		}
		st.det, st.detRate = d, rate
	}
	if ch == 1 {
		// Read in place; the frames that cannot be speech cost one pass.
		if _, err := st.det.ProcessLE(s.Data); err != nil {
			return false, false
		}
		return st.det.Last().Speech, st.det.Speaking()
	}
	var err error
	if st.samples, err = pcm.DecodeInt16(st.samples[:0], s.Data); err != nil {
		return false, false
	}
	if st.mono, err = pcm.Downmix(st.mono[:0], st.samples, ch); err != nil || len(st.mono) == 0 {
		return false, false
	}
	if _, err := st.det.Process(st.mono); err != nil {
		return false, false
	}
	return st.det.Last().Speech, st.det.Speaking()
}

// label returns s with Metadata[MetaSource] set to the input's name, and
// the sample rate and channel count of audio (s.SampleRate(), s.Channels();
// 0 for other modalities). Audio whose Metadata is only the rate and
// channel count (AudioSymbol's) gets a map shared by the input's audio at
// that rate, and a symbol without Metadata (TextSymbol's, VideoSymbol's) one
// shared by the input, so labelling them allocates nothing; the maps are
// read-only, like AudioSymbol's.
func (st *inputState) label(s fullduplex.Symbol) (_ fullduplex.Symbol, rate, ch int) {
	if s.Modality == fullduplex.ModalityAudio && len(s.Metadata) == 2 {
		// Checked first: these two keys leave no room for MetaSource.
		rate, rok := s.Metadata[fullduplex.MetaSampleRate].(int)
		ch, cok := s.Metadata[fullduplex.MetaChannels].(int)
		if rok && cok && ch == 1 {
			if st.meta == nil || st.metaRate != rate {
				st.meta = map[string]any{fullduplex.MetaSampleRate: rate, fullduplex.MetaChannels: 1, fullduplex.MetaSource: st.name}
				st.metaRate = rate
			}
			s.Metadata = st.meta
			return s, rate, 1
		}
	}
	if v, ok := s.Metadata[fullduplex.MetaSource].(string); !ok || v != st.name {
		if len(s.Metadata) == 0 {
			if st.bare == nil {
				st.bare = map[string]any{fullduplex.MetaSource: st.name}
			}
			s.Metadata = st.bare
		} else {
			s = s.WithMeta(fullduplex.MetaSource, st.name)
		}
	}
	return s, s.SampleRate(), s.Channels()
}

// audioDuration is Symbol.Duration of n bytes of audio at rate and ch.
func audioDuration(n, rate, ch int) time.Duration {
	if rate <= 0 || ch <= 0 {
		return 0
	}
	frames := int64(n) / int64(2*ch)
	return time.Duration(frames * int64(time.Second) / int64(rate))
}

// maxPending bounds the pre-roll of an input whose chunks are tiny or have
// no duration (audio of no valid rate).
const maxPending = 4096

// hold keeps s, lasting d, for the pre-roll, dropping the oldest audio beyond it (but
// never s); it returns how many symbols were dropped.
func (st *inputState) hold(s fullduplex.Symbol, d time.Duration, loud bool, preRoll time.Duration) (dropped int) {
	st.pending.push(pendItem{sym: s, loud: loud, d: d})
	for st.pending.n > 1 && (st.pending.dur > preRoll || st.pending.n > maxPending) {
		st.pending.pop()
		dropped++
	}
	return dropped
}

// normalize lowercases text and keeps letters and digits, one space between
// words, for phrase matching.
func normalize(text string) string {
	var b strings.Builder
	space := false
	for _, r := range text {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(unicode.ToLower(r))
		default:
			space = true
		}
	}
	return b.String()
}

// containsPhrase reports whether text contains phrase (normalized) on word
// boundaries.
func containsPhrase(text, phrase string) bool {
	t := " " + normalize(text) + " "
	return strings.Contains(t, " "+phrase+" ")
}

// heardPhrase reports whether the input's transcript text contains phrase,
// on its own or after what the input said before: whether fragments join
// with a space or not ("Hey" + " kiosk", "Hey kio" + "sk"), both joins are
// tried.
func (st *inputState) heardPhrase(text, phrase string) bool {
	if containsPhrase(text, phrase) {
		st.heard = ""
		return true
	}
	found := st.heard != "" && (containsPhrase(st.heard+text, phrase) || containsPhrase(st.heard+" "+text, phrase))
	// Keep the end of what was said, as long as the phrase.
	st.heard += text
	if n := len(st.heard); n > 4*len(phrase)+16 {
		st.heard = st.heard[n-2*len(phrase)-8:]
		if k := strings.IndexByte(st.heard, ' '); k >= 0 {
			st.heard = st.heard[k:] // not from the middle of a word
		}
	}
	return found
}
