// Package conformance holds the turn-grammar conformance test that every
// backend's fake runs: one table of scripted model turns, one checker.
// See the turn grammar in the fullduplex package's DuplexStream docs.
//
// A backend's test calls Run with an Open function that returns a stream
// scripted to answer each input turn with the next Turn of a Case.
package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	fd "github.com/fullduplex-go/fullduplex"
)

// A Turn is one scripted model turn.
type Turn struct {
	// Text is what the model says, in parts: text symbols, or the output
	// transcript of an audio answer.
	Text []string
	// Audio is how many audio chunks the model sends (0: none).
	Audio int
	// Usage: the backend reports the turn's token usage.
	Usage bool
	// Interrupted: the turn is cut off after its first item, by the server
	// (a backend that reports server-side barge-in) or by the client's
	// InterruptOutput (Backend.ClientInterrupts).
	Interrupted bool
}

// A Case is a named script of model turns, answered one per input turn.
type Case struct {
	Name  string
	Turns []Turn
}

// Table is the script every backend runs.
var Table = []Case{
	{"one text answer", []Turn{{Text: []string{"hello ", "world"}, Usage: true}}},
	{"audio answer with transcript", []Turn{{Text: []string{"spoken"}, Audio: 3, Usage: true}}},
	{"three answers in order", []Turn{
		{Text: []string{"one"}, Usage: true},
		{Text: []string{"two"}, Usage: true},
		{Text: []string{"three"}, Usage: true},
	}},
	{"interrupted, then answered", []Turn{
		{Text: []string{"a long ", "answer ", "that ", "is ", "cut"}, Audio: 4, Usage: true, Interrupted: true},
		{Text: []string{"short"}, Usage: true},
	}},
}

// A Backend is one fake under test.
type Backend struct {
	// Open returns a connected stream scripted with c: its i-th input turn
	// (a text Symbol) is answered with c.Turns[i]. The stream is closed by
	// Run.
	Open func(t *testing.T, c Case) fd.DuplexStream
	// ClientInterrupts: the backend cuts a turn only when told to
	// (InterruptOutput), so Run does that after the first item of an
	// Interrupted turn.
	ClientInterrupts bool
	// NoUsage: the backend does not report usage.
	NoUsage bool
	// NoAudio: the backend answers with text only (audio chunks are not
	// checked).
	NoAudio bool
}

// Run runs every Case of Table against b and checks the turn grammar: each
// turn ends with exactly one terminator (EventInterrupt for an interrupted
// turn, EventStreamEnd otherwise); its symbols, usage and transcripts come
// before that terminator; turn numbers grow; and after CloseSend the stream
// ends with io.EOF once the last turn has ended.
func Run(t *testing.T, b Backend) {
	for _, c := range Table {
		t.Run(c.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			s := b.Open(t, c)
			defer s.Close()
			var items []fd.StreamItem
			for i, turn := range c.Turns {
				require.NoError(t, s.Send(ctx, fd.TextSymbol(fmt.Sprintf("question %d", i+1))))
				got := receiveTurn(ctx, t, s, b.ClientInterrupts && turn.Interrupted)
				items = append(items, got...)
			}
			closer, ok := s.(fd.SendCloser)
			require.True(t, ok, "%T is not a fullduplex.SendCloser", s)
			require.NoError(t, closer.CloseSend(ctx))
			for {
				item, err := s.Receive(ctx)
				if errors.Is(err, io.EOF) {
					break
				}
				require.NoError(t, err, "after CloseSend, Receive ends with io.EOF")
				items = append(items, item)
			}
			require.NoError(t, Check(b, c, items))
		})
	}
}

// receiveTurn receives up to the next terminator, interrupting the turn
// after its first model item when interrupt is set.
func receiveTurn(ctx context.Context, t *testing.T, s fd.DuplexStream, interrupt bool) []fd.StreamItem {
	var items []fd.StreamItem
	for {
		item, err := s.Receive(ctx)
		require.NoError(t, err, "receiving a turn; so far: %s", Describe(items))
		items = append(items, item)
		if isTerminator(item) {
			return items
		}
		if sym, ok := item.(fd.Symbol); ok && interrupt && sym.Role() != fd.RoleUser {
			oi, ok := s.(fd.OutputInterrupter)
			require.True(t, ok, "%T is not an OutputInterrupter", s)
			require.NoError(t, oi.InterruptOutput(ctx))
			interrupt = false
		}
	}
}

func isTerminator(item fd.StreamItem) bool {
	ev, ok := item.(fd.StreamEvent)
	return ok && (ev.Type == fd.EventStreamEnd || ev.Type == fd.EventInterrupt)
}

// Check checks items, everything a stream returned for c, against the turn
// grammar and the script, and says what is wrong.
func Check(b Backend, c Case, items []fd.StreamItem) error {
	all := Describe(items)
	fail := func(format string, args ...any) error {
		return fmt.Errorf(format+"\n  received: %s", append(args, all)...)
	}
	// Split at the terminators.
	var segs [][]fd.StreamItem
	var terms []fd.StreamEvent
	var cur []fd.StreamItem
	for _, it := range items {
		if isTerminator(it) {
			segs, terms, cur = append(segs, cur), append(terms, it.(fd.StreamEvent)), nil
			continue
		}
		cur = append(cur, it)
	}
	if len(terms) != len(c.Turns) {
		return fail("%d terminators for %d turns: want exactly one per turn", len(terms), len(c.Turns))
	}
	for _, it := range cur {
		switch v := it.(type) {
		case fd.Symbol:
			if v.Role() != fd.RoleUser {
				return fail("model output %v after the last turn's terminator", v)
			}
		case fd.StreamEvent:
			if v.Type == fd.EventUsage {
				return fail("usage after the last turn's terminator")
			}
		}
	}
	lastTurn := -1 << 31
	for i, turn := range c.Turns {
		seg, term := segs[i], terms[i]
		want := fd.EventStreamEnd
		if turn.Interrupted {
			want = fd.EventInterrupt
		}
		if term.Type != want {
			return fail("turn %d ends with %s, want %s", i+1, term.Type, want)
		}
		var text strings.Builder
		audio, usages := 0, 0
		turnNo, haveNo := 0, false
		for _, it := range seg {
			switch v := it.(type) {
			case fd.Symbol:
				if v.Role() == fd.RoleUser {
					continue
				}
				if n, ok := v.Turn(); ok {
					if haveNo && n != turnNo {
						return fail("turn %d mixes MetaTurn %d and %d", i+1, turnNo, n)
					}
					turnNo, haveNo = n, true
				}
				if s, ok := v.TextValue(); ok {
					text.WriteString(s)
				}
				if v.Modality == fd.ModalityAudio {
					audio++
				}
			case fd.StreamEvent:
				if v.Type == fd.EventUsage {
					usages++
				}
			}
		}
		if haveNo {
			if turnNo <= lastTurn {
				return fail("turn %d has MetaTurn %d after %d: turn numbers must grow", i+1, turnNo, lastTurn)
			}
			lastTurn = turnNo
			if te, ok := term.Data.(fd.TurnEnd); ok && te.Turn != turnNo {
				return fail("turn %d: TurnEnd.Turn is %d, its symbols say %d", i+1, te.Turn, turnNo)
			}
		}
		full, said := strings.Join(turn.Text, ""), text.String()
		switch {
		case turn.Interrupted && !strings.HasPrefix(full, said):
			return fail("cut turn %d says %q, not a prefix of %q", i+1, said, full)
		case !turn.Interrupted && said != full:
			return fail("turn %d says %q, want %q", i+1, said, full)
		case !b.NoAudio && turn.Interrupted && audio > turn.Audio:
			return fail("cut turn %d has %d audio chunks, more than the %d scripted", i+1, audio, turn.Audio)
		case !b.NoAudio && !turn.Interrupted && audio != turn.Audio:
			return fail("turn %d has %d audio chunks, want %d", i+1, audio, turn.Audio)
		case usages > 1:
			return fail("turn %d reports usage %d times, want at most once", i+1, usages)
		case !b.NoUsage && turn.Usage && !turn.Interrupted && usages != 1:
			return fail("turn %d's usage is missing before its terminator", i+1)
		}
	}
	return nil
}

// Describe lists items briefly, for failure messages.
func Describe(items []fd.StreamItem) string {
	var b strings.Builder
	b.WriteString("[")
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		switch v := it.(type) {
		case fd.Symbol:
			n, _ := v.Turn()
			fmt.Fprintf(&b, "%s(%s turn %d)", v, v.Role(), n)
		case fd.StreamEvent:
			fmt.Fprintf(&b, "%s", v.Type)
			if v.Data != nil {
				fmt.Fprintf(&b, "(%v)", v.Data)
			}
		}
	}
	b.WriteString("]")
	return b.String()
}
