package attention

import (
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// maxLagFrames is how far, in frames, the input furthest ahead may run
// before a chunk is mixed without the others (their missing part is
// silence), so a stalled input never holds the others back for long.
const maxLagFrames = 5

// A mixer mixes the audio of several inputs into one mono stream: each
// input's audio is downmixed and resampled to the mix rate into its own
// queue, and a chunk is mixed once every holder has a chunk's worth queued,
// or one of them is maxLagFrames ahead. Owned by Next.
type mixer struct {
	rate int
	size int // samples per chunk
	in   []mixInput
	acc  []int16
	key  strings.Builder // the names of a chunk's inputs
}

type mixInput struct {
	name    string
	rs      *pcm.Resampler
	rsRate  int
	queue   []int16
	scratch []int16
	mono    []int16
}

func newMixer(rate int, frame time.Duration, n int) *mixer {
	f := max(1, int(int64(rate)*int64(frame)/int64(time.Second)))
	return &mixer{rate: rate, size: f, in: make([]mixInput, n), acc: make([]int16, f)}
}

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
	if rate == m.rate {
		in.queue = append(in.queue, x...)
		return true
	}
	if in.rs == nil || in.rsRate != rate {
		rs, err := pcm.NewResampler(rate, m.rate)
		if err != nil {
			return false
		}
		in.rs, in.rsRate = rs, rate
	}
	in.queue = in.rs.Process(in.queue, x)
	return true
}

// pending reports whether any audio is queued.
func (m *mixer) pending() bool {
	for k := range m.in {
		if len(m.in[k].queue) > 0 {
			return true
		}
	}
	return false
}

// frame mixes the next chunk if it is ready: every holder has a chunk
// queued, or one input is maxLagFrames ahead, or final and anything is
// queued.
func (m *mixer) frame(holders []int, final bool) (fullduplex.Symbol, bool) {
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
	clear(m.acc)
	m.key.Reset()
	for k := range m.in {
		in := &m.in[k]
		if len(in.queue) == 0 {
			continue
		}
		n := min(m.size, len(in.queue))
		pcm.Mix(m.acc[:n], in.queue[:n])
		rest := copy(in.queue, in.queue[n:])
		in.queue = in.queue[:rest]
		if m.key.Len() > 0 {
			m.key.WriteByte('+')
		}
		m.key.WriteString(in.name)
	}
	names := m.key.String()
	s := fullduplex.AudioSymbol(pcm.EncodeInt16(make([]byte, 0, 2*m.size), m.acc), m.rate)
	return s.WithMeta(fullduplex.MetaSource, names), true
}
