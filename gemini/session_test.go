package gemini_test

import (
	"context"
	"sync"
	"testing"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/genai"
)

// The stream under a DuplexSession: tools are declared in the setup, a tool
// call runs and its result goes back, and a clean close ends RunDuplex with nil.
func TestUnderDuplexSession(t *testing.T) {
	srv := geminitest.New(t, geminitest.Options{APIKey: testKey, Echo: true})
	st := gemini.NewStream(gemini.Config{BaseURL: srv.URL(), APIKey: testKey, ResponseModalities: []genai.Modality{genai.ModalityText}})
	defer st.Close()
	sess := fullduplex.NewDuplexSession(st)
	require.NoError(t, sess.AddTool(fullduplex.Tool{
		Name: "add", Description: "adds two numbers",
		Handler: func(ctx context.Context, args map[string]any) (any, error) {
			return args["a"].(float64) + args["b"].(float64), nil
		},
	}))
	var mu sync.Mutex
	var texts []string
	sink := fullduplex.SinkFunc(func(ctx context.Context, item fullduplex.StreamItem) error {
		if s, ok := item.(fullduplex.Symbol); ok {
			txt, _ := s.TextValue()
			mu.Lock()
			texts = append(texts, txt)
			mu.Unlock()
		}
		return nil
	})
	sent := false
	src := fullduplex.SourceFunc(func(ctx context.Context) (fullduplex.Symbol, error) {
		if sent {
			<-ctx.Done()
			return fullduplex.Symbol{}, ctx.Err()
		}
		sent = true
		return fullduplex.TextSymbol("what is 2+3?"), nil
	})

	ctx := waitCtx(t)
	done := make(chan error, 1)
	go func() { done <- sess.RunDuplex(ctx, src, sink) }()

	c, err := srv.WaitConn(ctx, 0)
	require.NoError(t, err)
	require.Len(t, c.Setup().Tools, 1)
	assert.Equal(t, "add", c.Setup().Tools[0].FunctionDeclarations[0].Name)
	_, err = c.WaitFor(ctx, geminitest.IsClientContent)
	require.NoError(t, err)
	require.NoError(t, c.SendToolCall(&genai.FunctionCall{ID: "t1", Name: "add", Args: map[string]any{"a": 2, "b": 3}}))
	m, err := c.WaitFor(ctx, geminitest.IsToolResponse)
	require.NoError(t, err)
	fr := m.ToolResponse.FunctionResponses[0]
	assert.Equal(t, "t1", fr.ID)
	assert.Equal(t, map[string]any{"output": float64(5)}, fr.Response)

	require.NoError(t, c.CloseWith(1000, "done"))
	require.NoError(t, <-done)
	mu.Lock()
	defer mu.Unlock()
	assert.Contains(t, texts, "echo: what is 2+3?")
}
