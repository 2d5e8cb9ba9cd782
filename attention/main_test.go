package attention_test

import (
	"testing"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	attention.OnInputEnded(func(s fd.Source) {
		if in, ok := s.(*sequenceInput); ok {
			in.q.ended(in.i)
		}
	})
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("go.opencensus.io/stats/view.(*worker).start"))
}
