package gemini

import (
	"fmt"
	"strings"

	"github.com/fullduplex-go/fullduplex"
	"google.golang.org/genai"
)

// An outMsg is one client message, ready to send on any connection: during
// a reconnect it waits in the send buffer.
type outMsg struct {
	realtime   *genai.LiveRealtimeInput
	content    *genai.LiveClientContentInput
	toolResult *genai.LiveToolResponseInput
	audioBytes int // >0 for audio chunks, which may be dropped when the buffer is full
}

// send writes m on sess. The caller serializes sends.
func (m *outMsg) send(sess *genai.Session) error {
	switch {
	case m.realtime != nil:
		return sess.SendRealtimeInput(*m.realtime)
	case m.content != nil:
		return sess.SendClientContent(*m.content)
	case m.toolResult != nil:
		return sess.SendToolResponse(*m.toolResult)
	}
	return nil
}

// symbolMsg maps a Symbol to its client message, refusing what the service
// cannot take with an error wrapping fullduplex.ErrInvalidSymbol.
func symbolMsg(s fullduplex.Symbol, inputRate int) (outMsg, error) {
	if err := s.Validate(); err != nil {
		return outMsg{}, err
	}
	switch s.Modality {
	case fullduplex.ModalityAudio:
		if rate := s.SampleRate(); rate != inputRate {
			return outMsg{}, fmt.Errorf("%w: audio at %d Hz, the stream sends %d Hz (Config.InputSampleRate); resample it first", fullduplex.ErrInvalidSymbol, rate, inputRate)
		}
		if ch := s.Channels(); ch != 1 {
			return outMsg{}, fmt.Errorf("%w: audio with %d channels, the Live API takes mono", fullduplex.ErrInvalidSymbol, ch)
		}
		// The MIME type is always set: an empty one panics inside the SDK.
		return outMsg{
			realtime:   &genai.LiveRealtimeInput{Audio: &genai.Blob{Data: s.Data, MIMEType: fullduplex.PCMMIMEType(inputRate)}},
			audioBytes: len(s.Data),
		}, nil
	case fullduplex.ModalityImage, fullduplex.ModalityVideo:
		if !strings.HasPrefix(s.MIMEType, "image/") {
			return outMsg{}, fmt.Errorf("%w: %s with MIME type %q; the Live API takes frames as images (image/jpeg, image/png)", fullduplex.ErrInvalidSymbol, s.Modality, s.MIMEType)
		}
		return outMsg{realtime: &genai.LiveRealtimeInput{Video: &genai.Blob{Data: s.Data, MIMEType: s.MIMEType}}}, nil
	case fullduplex.ModalityText:
		return outMsg{content: &genai.LiveClientContentInput{
			Turns:        []*genai.Content{genai.NewContentFromText(string(s.Data), genai.RoleUser)},
			TurnComplete: genai.Ptr(true),
		}}, nil
	}
	return outMsg{}, fmt.Errorf("%w: modality %q", fullduplex.ErrInvalidSymbol, s.Modality)
}

// toolResultMsg maps a tool result to a tool response: Output travels as
// {"output": ...}, Error as {"error": ...}, Scheduling as the response's
// scheduling (for a NON_BLOCKING function).
func toolResultMsg(r fullduplex.ToolResult) (outMsg, error) {
	resp := map[string]any{"output": r.Output}
	if r.Error != "" {
		resp = map[string]any{"error": r.Error}
	}
	sch, ok := scheduling(r.Scheduling)
	if !ok {
		return outMsg{}, fmt.Errorf("gemini: tool %q result has unknown Scheduling %q", r.Name, r.Scheduling)
	}
	return outMsg{toolResult: &genai.LiveToolResponseInput{
		FunctionResponses: []*genai.FunctionResponse{{ID: r.ID, Name: r.Name, Response: resp, Scheduling: sch}},
	}}, nil
}

// scheduling maps a fullduplex.Scheduling to the Live API's; ok is false for
// an unknown value.
func scheduling(s fullduplex.Scheduling) (sch genai.FunctionResponseScheduling, ok bool) {
	switch s {
	case fullduplex.SchedulingDefault:
		return "", true
	case fullduplex.SchedulingInterrupt:
		return genai.FunctionResponseSchedulingInterrupt, true
	case fullduplex.SchedulingWhenIdle:
		return genai.FunctionResponseSchedulingWhenIdle, true
	case fullduplex.SchedulingSilent:
		return genai.FunctionResponseSchedulingSilent, true
	}
	return "", false
}

var (
	msgAudioEnd      = outMsg{realtime: &genai.LiveRealtimeInput{AudioStreamEnd: true}}
	msgActivityStart = outMsg{realtime: &genai.LiveRealtimeInput{ActivityStart: &genai.ActivityStart{}}}
	msgActivityEnd   = outMsg{realtime: &genai.LiveRealtimeInput{ActivityEnd: &genai.ActivityEnd{}}}
)
