package fullduplex_test

import (
	"context"
	"fmt"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
)

// With Metrics set, the session measures each turn and delivers an
// EventMetrics after it, and an EventSummary when RunDuplex returns. Here
// the symbols carry scripted timestamps: the answer's first word comes
// 320 ms after the question.
func ExampleDuplexSession_metrics() {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	question := fd.TextSymbol("What is the time?")
	question.Timestamp = t0
	answer := fd.TextSymbol("It is nine.").WithMeta(fd.MetaRole, fd.RoleModel)
	answer.Timestamp = t0.Add(320 * time.Millisecond)

	stream := fullduplextest.NewFakeStream()
	stream.EmitAfterInput(answer,
		fd.NewEvent(fd.EventUsage, fd.Usage{InputTokens: 1200, OutputTokens: 300}),
		fd.NewEvent(fd.EventStreamEnd, nil))
	session := fd.NewDuplexSession(stream)
	session.Metrics = &fd.MetricsConfig{Prices: fd.Prices{
		Input:  map[fd.Modality]float64{"": 3},  // per million tokens
		Output: map[fd.Modality]float64{"": 12}, // per million tokens
	}}
	session.OnEvent = func(_ context.Context, e fd.StreamEvent) error {
		switch m := e.Data.(type) {
		case fd.TurnMetrics:
			fmt.Printf("turn %d: first symbol after %v, %d tokens, cost %.4f\n",
				m.Turn, m.TimeToFirstSymbol, m.Usage.InputTokens+m.Usage.OutputTokens, m.Cost)
		case fd.ConversationMetrics:
			fmt.Printf("conversation: %d turn(s), cost %.4f\n", m.Turns, m.Cost)
		}
		return nil
	}
	err := session.RunDuplex(context.Background(), fullduplextest.SliceSource(question), nil)
	fmt.Println("err:", err)
	// Output:
	// turn 1: first symbol after 320ms, 1500 tokens, cost 0.0072
	// conversation: 1 turn(s), cost 0.0072
	// err: <nil>
}
