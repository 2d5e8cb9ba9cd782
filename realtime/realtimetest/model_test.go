package realtimetest_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/realtimetest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func userSays(text string) []realtime.Turn {
	return []realtime.Turn{{Role: fd.RoleUser, Symbols: []fd.Symbol{fd.TextSymbol(text)}}}
}

func collect(m *realtimetest.Model, ctx context.Context, prompt []realtime.Turn) (string, error) {
	var out string
	for s, err := range m.Generate(ctx, prompt) {
		if err != nil {
			return out, err
		}
		t, _ := s.(fd.Symbol).TextValue()
		out += t
	}
	return out, nil
}

func TestScripts(t *testing.T) {
	m := realtimetest.NewModel()
	boom := errors.New("boom")
	m.Reply("a", "b")
	m.Fail(boom)
	m.ReplyAndHang("c")

	out, err := collect(m, ctxT(t), userSays("1"))
	require.NoError(t, err)
	assert.Equal(t, "ab", out)
	_, err = collect(m, ctxT(t), userSays("2"))
	assert.ErrorIs(t, err, boom)

	ctx, cancel := context.WithCancel(ctxT(t))
	defer cancel()
	for s, err := range m.Generate(ctx, userSays("3")) {
		if err != nil {
			assert.ErrorIs(t, err, context.Canceled)
			break
		}
		text, _ := s.(fd.Symbol).TextValue()
		assert.Equal(t, "c", text)
		cancel()
	}
	out, err = collect(m, ctxT(t), userSays("4"))
	require.NoError(t, err)
	assert.Equal(t, "You said: 4", out)

	require.NoError(t, m.WaitEnded(ctxT(t), 4))
	prompts, err := m.WaitCalls(ctxT(t), 4)
	require.NoError(t, err)
	assert.Len(t, prompts, 4)
	assert.Equal(t, 4, m.Calls())

	short, cancel2 := context.WithCancel(context.Background())
	cancel2()
	_, err = m.WaitCalls(short, 5)
	assert.ErrorIs(t, err, context.Canceled)
}

func TestUsageComesAfterTheParts(t *testing.T) {
	m := realtimetest.NewModel()
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("a")}, Usage: &fd.Usage{InputTokens: 2, OutputTokens: 1, TotalTokens: 3}})
	var got []fd.StreamItem
	for it, err := range m.Generate(ctxT(t), userSays("q")) {
		require.NoError(t, err)
		got = append(got, it)
	}
	require.Len(t, got, 2)
	ev, ok := got[1].(fd.StreamEvent)
	require.True(t, ok)
	assert.Equal(t, fd.EventUsage, ev.Type)
	assert.Equal(t, fd.Usage{InputTokens: 2, OutputTokens: 1, TotalTokens: 3}, ev.Data)
}

func TestBlockHonoursCancel(t *testing.T) {
	m := realtimetest.NewModel()
	m.Script(realtimetest.Script{Parts: []fd.Symbol{fd.TextSymbol("x")}, Block: make(chan struct{})})
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	_, err := collect(m, ctx, userSays("hi"))
	assert.ErrorIs(t, err, context.Canceled)
}

func ExampleModel() {
	m := realtimetest.NewModel()
	m.Reply("Hi", " there")
	prompt := []realtime.Turn{{Role: fd.RoleUser, Symbols: []fd.Symbol{fd.TextSymbol("hello")}}}
	for _, q := range []string{"scripted", "echo"} {
		fmt.Print(q, ": ")
		for s := range m.Generate(context.Background(), prompt) {
			text, _ := s.(fd.Symbol).TextValue()
			fmt.Print(text)
		}
		fmt.Println()
	}
	fmt.Println(len(m.Prompts()), "calls")
	// Output:
	// scripted: Hi there
	// echo: You said: hello
	// 2 calls
}
