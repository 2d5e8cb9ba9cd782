package attention

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// maxLagFrames is how far, in frames, the input furthest ahead may run
// before a chunk is mixed without the others (their missing part is
// silence), so a stalled input never holds the others back for long; it
// also bounds the silence put in front of an input that joins ahead of the
// mix.
const maxLagFrames = 5

// MixKeep is how much mixed audio a Source returns before it reuses the
// Data of a mixed chunk (see Divided.Mix).
const MixKeep = 3 * time.Second

// maxLabels bounds the shared Metadata maps of mixed chunks, one per set
// of inputs mixed together; beyond it a chunk gets a map of its own.
const maxLabels = 256

// A mixer mixes the audio of several inputs into one mono stream, in step
// by media time: the mix has a clock (cursor, in samples at the mix rate
// from the first audio's Timestamp), and each input's audio is downmixed,
// resampled and queued at its place on that clock. An input joining the
// mix (taking the floor, or after a gap) is placed by the Timestamp of its
// first chunk; later chunks follow on. Audio placed before the cursor, so
// after the others' audio of that time was mixed (a late holder's
// pre-roll, an input that stalled), is passed first on its own, not mixed
// behind the others' later audio. Owned by Next.
type mixer struct {
	rate    int
	size    int   // samples per chunk
	maxLate int64 // samples an input may be placed before the cursor
	in      []mixInput
	acc     []int16

	started bool
	origin  time.Time // media time of sample 0
	cursor  int64     // sample of the next mixed chunk's start

	ring   [][]byte // the Data of the chunks made, reused in turn
	keep   int      // chunks returned before a slot is reused: MixKeep's worth
	next   int
	mime   string
	labels map[string]map[string]any // Metadata by MetaSource label
	key    []byte                    // a chunk's label
}

type mixInput struct {
	name    string
	rs      *pcm.Resampler
	rsRate  int
	scratch []int16
	mono    []int16
	rsOut   []int16

	joined bool
	at     int64   // the sample after the last one added
	queue  []int16 // from the cursor on
	late   []int16 // placed before the cursor, to pass on its own
	lateAt int64   // sample of late[0]
}

func newMixer(rate int, frame, preRoll time.Duration, n int) *mixer {
	f := max(1, int(int64(rate)*int64(frame)/int64(time.Second)))
	keep := max(8, int((MixKeep+frame-1)/max(frame, time.Millisecond)))
	m := &mixer{
		rate: rate, size: f, in: make([]mixInput, n), acc: make([]int16, f),
		maxLate: int64(float64(rate)*preRoll.Seconds()) + int64(maxLagFrames*f),
		keep:    keep,
		ring:    make([][]byte, keep+1),
		mime:    fullduplex.PCMMIMEType(rate),
		labels:  map[string]map[string]any{},
	}
	return m
}

// samples converts a duration to samples at the mix rate.
func (m *mixer) samples(d time.Duration) int64 {
	r := int64(m.rate)
	return int64(d/time.Second)*r + int64(d%time.Second)*r/int64(time.Second)
}

// duration converts samples at the mix rate to a duration.
func (m *mixer) duration(n int64) time.Duration {
	r := int64(m.rate)
	return time.Duration(n/r)*time.Second + time.Duration(n%r)*time.Second/time.Duration(r)
}

// leave takes input i out of step: its next audio is placed by its
// Timestamp again. What it has queued is still mixed.
func (m *mixer) leave(i int) { m.in[i].joined = false }

// add queues the audio of s from input i; false when it cannot be decoded
// (it then passes unmixed, for the stream to refuse).
func (m *mixer) add(i int, s fullduplex.Symbol) bool {
	in := &m.in[i]
	if name, ok := s.Metadata[fullduplex.MetaSource].(string); ok {
		in.name = name
	}
	rate, ch := s.SampleRate(), s.Channels()
	if rate <= 0 || ch < 1 {
		return false
	}
	var err error
	in.scratch, err = pcm.DecodeInt16(in.scratch[:0], s.Data)
	if err != nil {
		return false
	}
	x := in.scratch
	if ch > 1 {
		if in.mono, err = pcm.Downmix(in.mono[:0], x, ch); err != nil {
			return false
		}
		x = in.mono
	}
	if rate != m.rate {
		if in.rs == nil || in.rsRate != rate {
			rs, err := pcm.NewResampler(rate, m.rate)
			if err != nil {
				return false
			}
			in.rs, in.rsRate = rs, rate
		}
		in.rsOut = in.rs.Process(in.rsOut[:0], x)
		x = in.rsOut
	}
	if !in.joined {
		m.place(i, s.Timestamp)
	}
	if in.at < m.cursor {
		// Behind the mix: this part's time was mixed already.
		k := min(int64(len(x)), m.cursor-in.at)
		if len(in.late) == 0 {
			in.lateAt = in.at
		}
		in.late = append(in.late, x[:k]...)
		x = x[k:]
		in.at += k
	}
	in.queue = append(in.queue, x...)
	in.at += int64(len(x))
	return true
}

// place puts input i, joining the mix, at media time ts on the mix's clock.
// Offsets under half a chunk are taken for jitter and ignored.
func (m *mixer) place(i int, ts time.Time) {
	in := &m.in[i]
	in.joined = true
	end := m.cursor + int64(len(in.queue))
	if ts.IsZero() {
		in.at = end
		return
	}
	if !m.started {
		m.started, m.origin, m.cursor = true, ts, 0
		in.at = 0
		return
	}
	p := m.samples(ts.Sub(m.origin))
	if m.idle(i) {
		// Nothing else in the mix: the clock moves to the input.
		m.cursor, in.at = p, p
		return
	}
	half := int64(m.size / 2)
	switch {
	case len(in.queue) > 0 || p >= end-half && p <= end+half:
		in.at = end
	case p > end:
		gap := min(p-end, int64(maxLagFrames*m.size))
		in.queue = append(in.queue, make([]int16, gap)...)
		in.at = end + gap
	default: // before the cursor
		in.at = max(p, m.cursor-m.maxLate)
	}
}

// idle reports whether no input but i is in the mix and nothing is queued.
func (m *mixer) idle(i int) bool {
	for k := range m.in {
		in := &m.in[k]
		if k != i && in.joined || len(in.queue) > 0 || len(in.late) > 0 {
			return false
		}
	}
	return true
}

// pending reports whether any audio is queued.
func (m *mixer) pending() bool {
	for k := range m.in {
		if len(m.in[k].queue) > 0 || len(m.in[k].late) > 0 {
			return true
		}
	}
	return false
}

// frame returns the next chunk if one is ready: audio placed before the
// cursor first, then a mix once every holder has a chunk queued, or one
// input is maxLagFrames ahead, or final and anything is queued.
//
// queued is how many symbols the Source holds, not returned yet: the ring
// grows so that none of them has its slot reused.
func (m *mixer) frame(holders []int, final bool, queued int) (fullduplex.Symbol, bool) {
	m.room(queued)
	for k := range m.in {
		in := &m.in[k]
		if len(in.late) == 0 {
			continue
		}
		n := min(m.size, len(in.late))
		clear(m.acc)
		copy(m.acc, in.late[:n])
		rest := copy(in.late, in.late[n:])
		in.late = in.late[:rest]
		at := in.lateAt
		in.lateAt += int64(n)
		m.key = append(m.key[:0], in.name...)
		return m.chunk(m.acc[:n], at), true
	}
	most, ready := 0, true
	for k := range m.in {
		most = max(most, len(m.in[k].queue))
	}
	if most == 0 {
		return fullduplex.Symbol{}, false
	}
	for _, h := range holders {
		if len(m.in[h].queue) < m.size {
			ready = false
		}
	}
	if !ready && !final && most < maxLagFrames*m.size {
		return fullduplex.Symbol{}, false
	}
	m.key = m.key[:0]
	first := true
	for k := range m.in {
		in := &m.in[k]
		if len(in.queue) == 0 {
			continue
		}
		n := min(m.size, len(in.queue))
		if first {
			// The first input is copied, not added to silence.
			clear(m.acc[copy(m.acc, in.queue[:n]):])
			first = false
		} else {
			pcm.Mix(m.acc[:n], in.queue[:n])
			m.key = append(m.key, '+')
		}
		rest := copy(in.queue, in.queue[n:])
		in.queue = in.queue[:rest]
		m.key = append(m.key, in.name...)
	}
	at := m.cursor
	m.cursor += int64(m.size)
	return m.chunk(m.acc, at), true
}

// room grows the ring, when queued symbols may still use its slots, so
// that the slot reused next was returned MixKeep ago.
func (m *mixer) room(queued int) {
	need := m.keep + queued + 1
	if len(m.ring) >= need {
		return
	}
	// New slots go where the next one is taken: the oldest ones wait.
	ring := make([][]byte, 0, need)
	ring = append(ring, m.ring[:m.next]...)
	ring = append(ring, make([][]byte, need-len(m.ring))...)
	m.ring = append(ring, m.ring[m.next:]...)
}

// chunk makes the Symbol of samples x starting at sample at, labelled with
// m.key, in the next slot of the ring.
func (m *mixer) chunk(x []int16, at int64) fullduplex.Symbol {
	data := pcm.EncodeInt16(m.ring[m.next][:0], x)
	m.ring[m.next] = data
	m.next = (m.next + 1) % len(m.ring)
	meta, ok := m.labels[string(m.key)]
	if !ok {
		meta = map[string]any{fullduplex.MetaSampleRate: m.rate, fullduplex.MetaChannels: 1, fullduplex.MetaSource: string(m.key)}
		if len(m.labels) < maxLabels {
			m.labels[string(m.key)] = meta
		}
	}
	s := fullduplex.Symbol{Modality: fullduplex.ModalityAudio, Data: data, MIMEType: m.mime, Metadata: meta}
	if m.started {
		s.Timestamp = m.origin.Add(m.duration(at))
	}
	return s
}
