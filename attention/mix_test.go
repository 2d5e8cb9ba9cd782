package attention_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
)

// level appends frames of 20 ms at 16 kHz whose samples all equal value(k)
// for frame k, from frame first to frame last, on the script's clock.
func (s *script) level(first, last int, value func(k int) int16) *script {
	for k := first; k <= last; k++ {
		b := make([]byte, 640)
		for i := 0; i < 640; i += 2 {
			binary.LittleEndian.PutUint16(b[i:], uint16(value(k)))
		}
		sym := fd.AudioSymbol(b, 16000)
		sym.Timestamp = t0.Add(time.Duration(k) * frame)
		s.at = time.Duration(k+1) * frame
		s.syms = append(s.syms, sym)
	}
	return s
}

// A late holder is mixed in step with the holder: its pre-roll, whose
// moment was mixed already, comes first on its own; from then on every
// mixed chunk holds both inputs' audio of the same 20 ms, stamped with it;
// every frame of each input is in the output once, in order.
func TestMixAlignsALateHolder(t *testing.T) {
	phrase := func(s *script, at int) {
		s.at = time.Duration(at) * frame
		s.text("hey kiosk", true)
	}
	a := &script{}
	phrase(a, 0)
	a.level(0, 99, func(k int) int16 { return int16(k + 1) })
	b := (&script{}).level(0, 59, func(k int) int16 { return int16(128 * (k + 1)) })
	phrase(b, 60)
	b.level(60, 99, func(k int) int16 { return int16(128 * (k + 1)) })
	q := newSequence(a, b)
	src, log := newSource(t, attention.Config{
		Selective: attention.Selective{Phrase: "hey kiosk"},
		Sustained: attention.Sustained{Hold: 10 * time.Second},
		Divided:   attention.Divided{Max: 2, Mix: true},
	}, q, "a", "b")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx) }()
	var aFrames, bFrames []int
	var labels []string
	for {
		s, err := src.Next(ctx)
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		require.Len(t, s.Data, 640)
		v := int16(binary.LittleEndian.Uint16(s.Data))
		for i := 0; i < len(s.Data); i += 2 {
			require.Equal(t, v, int16(binary.LittleEndian.Uint16(s.Data[i:])), "a chunk is one frame of each input")
		}
		label := s.Metadata[fd.MetaSource].(string)
		ak, bk := int(v%128)-1, int(v/128)-1
		switch label {
		case "a":
			require.Equal(t, -1, bk)
			aFrames = append(aFrames, ak)
			assert.Equal(t, t0.Add(time.Duration(ak)*frame), s.Timestamp)
		case "b":
			require.Equal(t, -1, ak)
			bFrames = append(bFrames, bk)
			assert.Equal(t, t0.Add(time.Duration(bk)*frame), s.Timestamp)
		case "a+b":
			require.Equal(t, ak, bk, "the two inputs' audio of the same moment")
			aFrames, bFrames = append(aFrames, ak), append(bFrames, bk)
			assert.Equal(t, t0.Add(time.Duration(ak)*frame), s.Timestamp)
		default:
			t.Fatalf("chunk labelled %q", label)
		}
		if len(labels) == 0 || labels[len(labels)-1] != label {
			labels = append(labels, label)
		}
	}
	require.NoError(t, <-errc)
	assert.Equal(t, []string{"a:phrase", "b:phrase", "-a:ended", "-b:ended"}, log.brief())
	assert.Equal(t, []string{"a", "b", "a+b"}, labels, "a alone, b's late pre-roll alone, then both in step")
	want := func(first, last int) []int {
		var ks []int
		for k := first; k <= last; k++ {
			ks = append(ks, k)
		}
		return ks
	}
	assert.Equal(t, want(0, 99), aFrames, "every frame of a once, in order")
	assert.Equal(t, want(35, 99), bFrames, "b from its 500 ms pre-roll on, once, in order")
}

// Mixing allocates nothing per chunk in steady state: the chunks' Data
// come from the Source's ring and their Metadata is shared.
func TestMixAllocatesNothingPerChunk(t *testing.T) {
	var ins []attention.Input
	for i := range 2 {
		ins = append(ins, attention.Input{Name: fmt.Sprintf("in%d", i), Source: endless(benchSpeech, 1<<30, 0)})
	}
	a, err := attention.New(attention.Config{Divided: attention.Divided{Max: 2, Mix: true}}, ins...)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- a.Run(ctx) }()
	defer func() {
		cancel()
		assert.ErrorIs(t, <-errc, context.Canceled)
	}()
	next := func() {
		s, err := a.Next(ctx)
		if err != nil || s.Modality != fd.ModalityAudio {
			t.Fatalf("Next: %v, %v", s.Modality, err)
		}
	}
	for range 500 { // past the ring's first round
		next()
	}
	allocs := testing.AllocsPerRun(2000, next)
	assert.Zero(t, allocs, "allocations per mixed chunk")
	assert.Positive(t, a.Stats().MixedFrames)
}

// A pre-roll longer than the mixed audio the Source keeps (4 s of it, in
// one burst) comes out whole: no chunk's Data is reused while the chunk
// waits to be returned.
func TestMixLongPreRollIsIntact(t *testing.T) {
	phrase := func(s *script, at int) {
		s.at = time.Duration(at) * frame
		s.text("hey kiosk", true)
	}
	a := &script{}
	phrase(a, 0)
	a.level(0, 219, func(int) int16 { return 1 })
	b := (&script{}).level(0, 199, func(k int) int16 { return int16(2 * (k + 1)) })
	phrase(b, 200)
	b.level(200, 219, func(k int) int16 { return int16(2 * (k + 1)) })
	q := newSequence(a, b)
	src, _ := newSource(t, attention.Config{
		Selective: attention.Selective{Phrase: "hey kiosk"},
		Sustained: attention.Sustained{Hold: 10 * time.Second, PreRoll: 4 * time.Second},
		Divided:   attention.Divided{Max: 2, Mix: true},
	}, q, "a", "b")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- src.Run(ctx) }()
	var late []int
	for {
		s, err := src.Next(ctx) // read at once: the ring reuses Data later
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		if s.Metadata[fd.MetaSource] == "b" {
			late = append(late, int(int16(binary.LittleEndian.Uint16(s.Data)))/2-1)
		}
	}
	require.NoError(t, <-errc)
	var want []int
	for k := range 201 { // and frame 200, which came after a's frame 200 was mixed
		want = append(want, k)
	}
	assert.Equal(t, want, late, "b's 4 s pre-roll, every frame once, in order")
}
