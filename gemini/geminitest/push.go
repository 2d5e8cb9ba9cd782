package geminitest

import (
	"time"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// SendAudio sends one model audio chunk (16-bit mono PCM at rate) as a
// modelTurn inlineData part.
func (c *Conn) SendAudio(pcm []byte, rate int) error {
	return c.sendBlob(pcm, fullduplex.PCMMIMEType(rate))
}

func (c *Conn) sendBlob(data []byte, mime string) error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		ModelTurn: &genai.Content{Role: genai.RoleModel, Parts: []*genai.Part{{InlineData: &genai.Blob{Data: data, MIMEType: mime}}}},
	}})
}

// SendText sends model text as a modelTurn text part.
func (c *Conn) SendText(text string) error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		ModelTurn: &genai.Content{Role: genai.RoleModel, Parts: []*genai.Part{{Text: text}}},
	}})
}

// SendInputTranscription sends a transcription of the user's speech.
func (c *Conn) SendInputTranscription(text string, finished bool) error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		InputTranscription: &genai.Transcription{Text: text, Finished: finished},
	}})
}

// SendOutputTranscription sends a transcription of the model's speech.
func (c *Conn) SendOutputTranscription(text string, finished bool) error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{
		OutputTranscription: &genai.Transcription{Text: text, Finished: finished},
	}})
}

// SendInterrupted tells the client the model's output was cut off.
func (c *Conn) SendInterrupted() error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{Interrupted: true}})
}

// SendGenerationComplete tells the client the model generated all of its turn.
func (c *Conn) SendGenerationComplete() error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{GenerationComplete: true}})
}

// SendTurnComplete ends the model's turn.
func (c *Conn) SendTurnComplete() error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{TurnComplete: true}})
}

// SendTurnCompleteUsage ends the model's turn the way the service does:
// turnComplete and the turn's usageMetadata in one frame. (After
// SendInterrupted, this frame ends the cut turn.)
func (c *Conn) SendTurnCompleteUsage(u *genai.UsageMetadata) error {
	return c.Send(&genai.LiveServerMessage{ServerContent: &genai.LiveServerContent{TurnComplete: true}, UsageMetadata: u})
}

// SendToolCall asks the client to run functions.
func (c *Conn) SendToolCall(calls ...*genai.FunctionCall) error {
	return c.Send(&genai.LiveServerMessage{ToolCall: &genai.LiveServerToolCall{FunctionCalls: calls}})
}

// SendToolCancellation cancels earlier tool calls.
func (c *Conn) SendToolCancellation(ids ...string) error {
	return c.Send(&genai.LiveServerMessage{ToolCallCancellation: &genai.LiveServerToolCallCancellation{IDs: ids}})
}

// SendUsage sends usage metadata.
func (c *Conn) SendUsage(u *genai.UsageMetadata) error {
	return c.Send(&genai.LiveServerMessage{UsageMetadata: u})
}

// SendGoAway announces that the connection ends in timeLeft.
func (c *Conn) SendGoAway(timeLeft time.Duration) error {
	return c.Send(&genai.LiveServerMessage{GoAway: &genai.LiveServerGoAway{TimeLeft: timeLeft}})
}

// SendResumptionUpdate sends a session resumption update. A handle sent
// here is accepted under RequireResumeHandle.
func (c *Conn) SendResumptionUpdate(handle string, resumable bool) error {
	if handle != "" {
		c.srv.mu.Lock()
		c.srv.handles[handle] = true
		c.srv.mu.Unlock()
	}
	return c.Send(&genai.LiveServerMessage{SessionResumptionUpdate: &genai.LiveServerSessionResumptionUpdate{NewHandle: handle, Resumable: resumable}})
}
