package attention_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	fd "github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/fullduplextest"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// A kiosk microphone hears a passer-by, then someone who says the
// activation phrase: only the second takes the floor. The transcript comes
// from the app's speech-to-text step, at the end of the utterance; the
// pre-roll keeps the audio of the whole question.
func Example() {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var syms []fd.Symbol
	chunk := func(loud bool) {
		x := pcm.AppendSilence(nil, 320)
		if loud {
			x = pcm.AppendTone(nil, 300, 0.3, 16000, 320)
		}
		s := fd.AudioSymbol(pcm.EncodeInt16(nil, x), 16000)
		s.Timestamp, at = at, at.Add(20*time.Millisecond)
		syms = append(syms, s)
	}
	say := func(text string, chunks int) {
		for range chunks {
			chunk(true)
		}
		s := fd.TextSymbol(text)
		s.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaFinal: true}
		s.Timestamp = at
		syms = append(syms, s)
		for range 10 {
			chunk(false)
		}
	}
	for range 10 {
		chunk(false)
	}
	say("nice weather today", 50)
	say("hey kiosk, where is gate four?", 60)

	src, _ := attention.New(attention.Config{
		Selective: attention.Selective{Phrase: "Hey kiosk"},
		Sustained: attention.Sustained{PreRoll: 1200 * time.Millisecond},
		OnEvent:   func(ev fd.StreamEvent) { fmt.Println(ev.Data) },
	}, attention.Input{Name: "mic", Source: fullduplextest.SliceSource(syms...)})

	ctx := context.Background()
	go src.Run(ctx)
	for {
		if _, err := src.Next(ctx); err != nil {
			break
		}
	}
	st := src.Stats()
	fmt.Println("passed", st.Passed.Audio, "audio chunks; unattended", st.Unattended.Audio)
	// Output:
	// floor: mic (phrase)
	// floor: free (ended; mic lost it)
	// passed 70 audio chunks; unattended 70
}

// Gemini Live refuses the key, so the conversation runs on a turn model:
// the app sees one stream, with the switch as an event.
func ExampleNewComposite_failover() {
	live, turn := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	live.FailConnect(errors.New("API key not valid"))
	turn.EmitAfterInput(fd.TextSymbol("Gate 4 is on your left."), fd.NewEvent(fd.EventStreamEnd, nil))

	stream, _ := attention.NewComposite(attention.CompositeConfig{
		Members:  []attention.Member{{Name: "live", Stream: live, Hears: true}},
		Failover: []attention.Member{{Name: "turn", Stream: turn}},
	})
	defer stream.Close()
	session := fd.NewDuplexSession(stream)
	session.OnEvent = func(_ context.Context, ev fd.StreamEvent) error {
		if sw, ok := ev.Data.(attention.Switch); ok {
			fmt.Println(sw)
		}
		return nil
	}
	session.OnSymbol = func(_ context.Context, s fd.Symbol) error {
		text, _ := s.TextValue()
		fmt.Println("model:", text)
		return nil
	}
	err := session.RunDuplex(context.Background(), fullduplextest.SliceSource(fd.TextSymbol("where is gate 4?")), nil)
	fmt.Println("err:", err)
	// Output:
	// failover: live → turn (API key not valid)
	// model: Gate 4 is on your left.
	// err: <nil>
}

// A cheap model skims; when it says it is out of its depth, a deeper one
// takes the floor for one answer.
func ExampleEscalation() {
	cheap, deep := fullduplextest.NewFakeStream(), fullduplextest.NewFakeStream()
	cheap.EmitAfterInput(model("[deep]", 1), end(1))
	deep.EmitAfterInput(model("Here is the proof…", 1), end(1))
	stream, _ := attention.NewComposite(attention.CompositeConfig{
		Members: []attention.Member{{Name: "flash", Stream: cheap}, {Name: "pro", Stream: deep}},
		Escalation: attention.Escalation{To: "pro", When: func(it fd.StreamItem) bool {
			s, ok := it.(fd.Symbol)
			return ok && string(s.Data) == "[deep]"
		}},
	})
	defer stream.Close()
	ctx := context.Background()
	_ = stream.Connect(ctx)
	_ = stream.Send(ctx, fd.TextSymbol("prove it"))
	for item, err := range fd.Items(ctx, stream) {
		if err != nil {
			break
		}
		switch it := item.(type) {
		case fd.Symbol:
			fmt.Printf("text %q\n", it.Data)
		case fd.StreamEvent:
			if sw, ok := it.Data.(attention.Switch); ok {
				fmt.Println(sw)
				if sw.Reason == attention.SwitchReturn {
					return
				}
			} else {
				fmt.Println(it.Type)
			}
		}
	}
	// Output:
	// text "[deep]"
	// interrupt
	// escalate: flash → pro
	// text "Here is the proof…"
	// stream_end
	// return: pro → flash
}

// Without a speech-to-text step of its own, an input borrows a backend's
// input transcription: the transcriber (here a FakeStream standing in for
// a Gemini Live session) hears the input's audio, and the transcript it
// gives, in fragments, claims the floor by the activation phrase. Its own
// answer is dropped.
func ExampleInput_transcriber() {
	at := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	var syms []fd.Symbol
	for range 25 {
		s := fd.AudioSymbol(pcm.EncodeInt16(nil, pcm.AppendTone(nil, 300, 0.3, 16000, 320)), 16000)
		s.Timestamp, at = at, at.Add(20*time.Millisecond)
		syms = append(syms, s)
	}
	live := fullduplextest.NewFakeStream()
	_ = live.Connect(context.Background())
	heard := func(text string) fd.Symbol {
		s := fd.TextSymbol(text)
		s.Metadata = map[string]any{fd.MetaTranscript: true, fd.MetaFinal: true, fd.MetaRole: fd.RoleUser}
		return s
	}
	// The transcription of the input's speech, once its input has ended.
	live.EmitAfterInput(heard("Hey"), heard(" kiosk, where is gate four?"), fd.NewEvent(fd.EventStreamEnd, fd.TurnEnd{Turn: 1}))

	mic, _ := attention.New(attention.Config{
		Selective: attention.Selective{Phrase: "hey kiosk"},
		OnEvent:   func(ev fd.StreamEvent) { fmt.Println(ev.Data) },
	}, attention.Input{Name: "mic", Source: fullduplextest.SliceSource(syms...), Transcriber: live})
	ctx := context.Background()
	go mic.Run(ctx)
	for {
		if _, err := mic.Next(ctx); err != nil {
			break
		}
	}
	st := mic.Stats()
	fmt.Printf("the transcriber heard %d chunks; passed %d (the pre-roll); %d transcripts steered\n", len(live.Sent()), st.Passed.Audio, st.Transcripts.Text)
	// Output:
	// floor: mic (phrase)
	// floor: free (ended; mic lost it)
	// the transcriber heard 25 chunks; passed 25 (the pre-roll); 2 transcripts steered
}
