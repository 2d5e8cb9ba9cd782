package attention_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// The whole chain: two inputs attended over, into a composite whose primary
// fails at Connect. The alarm preempts the caller and interrupts the model
// through the session; every symbol sent is labelled; RunDuplex ends
// cleanly when the inputs end.
func TestSessionAttentionOverComposite(t *testing.T) {
	caller := (&script{}).silence(100 * ms).speech(1000 * ms).silence(100 * ms)
	alarm := (&script{}).silence(500 * ms).speech(300 * ms).silence(100 * ms)
	q := newSequence(caller, alarm)
	ins := q.inputs("caller", "alarm")
	ins[1].Priority = 1
	log := &floorLog{}
	src, err := attention.New(attention.Config{OnEvent: log.on}, ins...)
	require.NoError(t, err)

	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	live.FailConnect(errors.New("API key not valid"))
	turn.EmitAfterInput(model("Alarm heard.", 1), end(1))
	c, err := attention.NewComposite(attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live, Hears: true}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	require.NoError(t, err)
	defer c.Close()

	session := fd.NewDuplexSession(c)
	rec := &fullduplextest.Recorder{}
	require.NoError(t, src.RunDuplex(t.Context(), session, rec))

	assert.Equal(t, []string{"caller:voice", "alarm/-caller:preempt", "-alarm:ended", "caller:voice", "-caller:ended"}, log.brief())
	assert.Equal(t, 1, turn.Interrupts(), "the preemption interrupted the model through the session")
	assert.Equal(t, "Alarm heard.", rec.Text())
	sent := turn.Sent()
	require.NotEmpty(t, sent)
	for _, s := range sent {
		assert.Contains(t, []any{"caller", "alarm"}, s.Metadata[fd.MetaSource])
	}
	assert.EqualValues(t, len(sent), src.Stats().Passed.Total())
}
