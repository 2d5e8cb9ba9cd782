package gemini_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
)

// A NonBlocking tool is declared with behavior NON_BLOCKING, and a result's
// Scheduling travels as the function response's scheduling.
func TestAsyncToolWireShapes(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey, NoResumptionUpdates: true})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey})
	defer st.Close()
	require.NoError(t, st.DeclareTools([]fullduplex.Tool{
		{Name: "search", Description: "slow lookup", NonBlocking: true, Scheduling: fullduplex.SchedulingWhenIdle},
		{Name: "now", Description: "the time"},
	}))
	ctx := waitCtx(t)
	require.NoError(t, st.Connect(ctx))
	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	fds := c.Setup().Tools[0].FunctionDeclarations
	require.Len(t, fds, 2)
	assert.Equal(t, genai.BehaviorNonBlocking, fds[0].Behavior)
	assert.Empty(t, fds[1].Behavior, "a blocking tool says nothing")
	assert.Contains(t, string(c.Messages()[0].Raw), `"behavior":"NON_BLOCKING"`)

	for i, sch := range []fullduplex.Scheduling{fullduplex.SchedulingInterrupt, fullduplex.SchedulingWhenIdle, fullduplex.SchedulingSilent, fullduplex.SchedulingDefault} {
		require.NoError(t, st.SendToolResult(ctx, fullduplex.ToolResult{ID: "c1", Name: "search", Output: "found", Scheduling: sch}))
		ms, err := c.WaitCount(ctx, geminitest.IsToolResponse, i+1)
		require.NoError(t, err)
		fr := ms[i].ToolResponse.FunctionResponses[0]
		want := map[fullduplex.Scheduling]genai.FunctionResponseScheduling{
			fullduplex.SchedulingInterrupt: "INTERRUPT", fullduplex.SchedulingWhenIdle: "WHEN_IDLE", fullduplex.SchedulingSilent: "SILENT",
		}[sch]
		assert.Equal(t, want, fr.Scheduling, "scheduling %q", sch)
		if want != "" {
			assert.Contains(t, string(ms[i].Raw), `"scheduling":"`+string(want)+`"`)
		} else {
			assert.NotContains(t, string(ms[i].Raw), `"scheduling"`)
		}
	}
	err = st.SendToolResult(ctx, fullduplex.ToolResult{ID: "c2", Name: "search", Output: 1, Scheduling: "later"})
	assert.ErrorContains(t, err, `unknown Scheduling "later"`)
}

func TestUnknownToolSchedulingIsRefused(t *testing.T) {
	st := gemini.NewStream(gemini.Config{APIKey: testKey})
	defer st.Close()
	err := st.DeclareTools([]fullduplex.Tool{{Name: "x", Scheduling: "soon"}})
	assert.ErrorIs(t, err, gemini.ErrInvalidConfig)
}
