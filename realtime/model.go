package realtime

import (
	"context"
	"errors"
	"iter"

	"github.com/fullduplex-go/fullduplex"
)

// A TurnModel answers one prompt: the conversation so far in, a stream of
// items out. It is the shape of genai's GenerateContentStream and of a
// streaming chat-completions call.
//
// Generate must be safe for concurrent use: a Stream may start the next
// call while the previous one, just cancelled, is still returning.
type TurnModel interface {
	// Generate starts one model call on prompt and returns the answer as a
	// single-use sequence of items, in order: fullduplex.Symbols (text,
	// audio, images) and, where the backend reports them, a
	// fullduplex.EventUsage (Data: fullduplex.Usage, for the whole call) and
	// fullduplex.EventMetadata events. The Stream adds the turn's
	// terminator itself; any other event is reported as a bad item. An
	// error ends the sequence: it is yielded once, with a nil item, as the
	// last element. ctx bounds the whole call: once it is cancelled the
	// sequence must stop promptly (yielding ctx's error, or nothing).
	// Stopping the range early must end the call and free its resources.
	//
	// prompt holds alternating user and model turns, oldest first, starting
	// and ending with a user turn. The model must treat it as read-only.
	// Symbols the backend cannot take (audio for a text-only model) should
	// be skipped, not refused.
	Generate(ctx context.Context, prompt []Turn) iter.Seq2[fullduplex.StreamItem, error]
}

// A Turn is what one side said: consecutive symbols of one role.
// It is a value; treat its Symbols as read-only.
type Turn struct {
	// Role is fullduplex.RoleUser or fullduplex.RoleModel.
	Role string
	// Symbols are the turn's text, audio and images, in the order they
	// were said. Consecutive audio chunks of one format arrive merged into
	// one Symbol, and so do the text fragments of a model answer.
	Symbols []fullduplex.Symbol
}

// Text returns the concatenated text of the turn's text symbols, separated
// by newlines.
func (t Turn) Text() string {
	var out []byte
	for _, s := range t.Symbols {
		if s.Modality != fullduplex.ModalityText {
			continue
		}
		if len(out) > 0 {
			out = append(out, '\n')
		}
		out = append(out, s.Data...)
	}
	return string(out)
}

// TurnModelFunc adapts a function to a TurnModel.
type TurnModelFunc func(ctx context.Context, prompt []Turn) iter.Seq2[fullduplex.StreamItem, error]

// Generate calls f(ctx, prompt).
func (f TurnModelFunc) Generate(ctx context.Context, prompt []Turn) iter.Seq2[fullduplex.StreamItem, error] {
	return f(ctx, prompt)
}

// Errors reported as the Data of a fullduplex.EventError. Model errors are
// wrapped with %w, so errors.Is and errors.As find them.
var (
	// ErrEmptyAnswer: the model call ended without a single symbol.
	ErrEmptyAnswer = errors.New("realtime: the model returned an empty answer")
	// ErrModel wraps every error a model call returned.
	ErrModel = errors.New("realtime: model call failed")
	// ErrInputClosed is returned by Send after CloseSend.
	ErrInputClosed = errors.New("realtime: input closed")
)
