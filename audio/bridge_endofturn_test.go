package audio

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio/bargein"
	"github.com/fullduplex-go/fullduplex/audio/wavio"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// loggedStream records, in order, what the session tells the stream.
type loggedStream struct {
	*fullduplextest.FakeStream
	mu  sync.Mutex
	log []string // "audio" per run of audio symbols, "end", "close"
}

func (s *loggedStream) note(what string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if what == "audio" && len(s.log) > 0 && s.log[len(s.log)-1] == "audio" {
		return
	}
	s.log = append(s.log, what)
}

func (s *loggedStream) Send(ctx context.Context, sym fullduplex.Symbol) error {
	s.note("audio")
	return s.FakeStream.Send(ctx, sym)
}

func (s *loggedStream) SendEnd(ctx context.Context) error {
	s.note("end")
	return s.FakeStream.SendEnd(ctx)
}

func (s *loggedStream) CloseSend(ctx context.Context) error {
	s.note("close")
	return s.FakeStream.CloseSend(ctx)
}

func (s *loggedStream) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.log...)
}

// BargeIn.EndOfTurn alone ends the user's turn on the client through the
// session, also with barge-in off: speech, then silence, then SendEnd, and
// the answer it released plays; the Source's end closes the input and Run
// returns nil after the answer.
func TestBridgeEndOfTurnSendsEndThroughTheSession(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hello := readWAVFile(t, "../testdata/hello.wav").Samples
	var in []int16
	in = append(in, hello...)
	in = pcm.AppendSilence(in, 16000*3/2) // 1.5 s: the turn ends 0.7 s in
	src, err := wavio.NewSource(wavReader(t, in, 16000), wavio.SourceConfig{})
	require.NoError(t, err)
	out, err := wavio.CreateSink(filepath.Join(t.TempDir(), "out.wav"), wavio.SinkConfig{})
	require.NoError(t, err)
	defer out.Close()

	stream := &loggedStream{FakeStream: fullduplextest.NewFakeStream()}
	answer := pcm.EncodeInt16(nil, pcm.AppendTone(nil, 440, 0.5, 24000, 2400))
	stream.EmitAfterInput(fullduplex.AudioSymbol(answer, 24000), fullduplex.NewEvent(fullduplex.EventStreamEnd, nil))
	b, err := NewBridge(fullduplex.NewDuplexSession(stream), Config{
		Input: src, Output: out, DisableBargeIn: true,
		BargeIn: bargein.Config{EndOfTurn: 700 * time.Millisecond},
	})
	require.NoError(t, err)
	defer b.Close()
	require.NoError(t, b.Run(ctx), "the stream ended after the answer")

	assert.Equal(t, []string{"audio", "end", "audio", "close"}, stream.Log(),
		"the end of turn comes after the speech, before the rest of the input")
	assert.EqualValues(t, 1, b.Stats().BargeIn.TurnEnds)
	assert.Zero(t, b.Stats().BargeIn.Interrupts, "barge-in is off")
	assert.EqualValues(t, 2400, out.Written(), "the answer was written")
}
