package main

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/attention"
	"github.com/fullduplex-go/fullduplex/audio/wavio"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
	"github.com/fullduplex-go/fullduplex/examples/internal/offline"
	"github.com/fullduplex-go/fullduplex/gemini"
	"github.com/fullduplex-go/fullduplex/gemini/geminitest"
	"github.com/fullduplex-go/fullduplex/realtime"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn"
	"github.com/fullduplex-go/fullduplex/realtime/geminiturn/geminiturntest"
)

//go:embed testdata/*.wav
var recordings embed.FS

// The default microphones: espeak-ng recordings (see testdata/README.md),
// the second one starting while the first is still talking.
var defaults = [2]struct {
	file, say string
	lead      time.Duration
}{
	{"testdata/passerby.wav", "Nice weather today, is it not?", 200 * time.Millisecond},
	{"testdata/heykiosk.wav", "Hey kiosk, where is gate four?", 900 * time.Millisecond},
}

type options struct {
	in, say              [2]string
	phrase               string
	liveModel, turnModel string
	offline              bool
}

// run is the kiosk: two microphones attended over, one conversation on a
// composite of Live and a turn model; the conversation on out, the floor
// and the switches between backends on status, a line each.
func run(ctx context.Context, o options, out, status io.Writer) error {
	log := &lockedWriter{w: status}
	online := !o.offline && offline.KeyFromEnv()
	var inputs []attention.Input
	for i := range 2 {
		in := attention.Input{Name: fmt.Sprintf("mic%d", i+1)}
		if online {
			// No speech-to-text here: a Gemini Live session per microphone
			// transcribes what it hears (its answers are dropped).
			tr, err := transcriber(ctx, o)
			if err != nil {
				fmt.Fprintf(log, "%s: no transcription (%v); using -say%d\n", in.Name, err, i+1)
			} else {
				defer tr.Close()
				in.Transcriber = tr
			}
		}
		mic, err := microphone(o, i, in.Transcriber == nil)
		if err != nil {
			return err
		}
		in.Source = mic
		inputs = append(inputs, in)
	}
	mics, err := attention.New(attention.Config{
		// The transcripts from -say go on to the turn model after a
		// failover; a Live transcriber's come in fragments, which a turn
		// model would take for turns: they only steer attention.
		Selective: attention.Selective{Phrase: o.phrase, PassTranscripts: inputs[0].Transcriber == nil && inputs[1].Transcriber == nil},
		// The transcript comes at the end of the question: keep all of it.
		Sustained: attention.Sustained{PreRoll: 4 * time.Second},
		OnEvent: func(ev fullduplex.StreamEvent) {
			fmt.Fprintf(log, "[%s]\n", ev.Data)
		},
	}, inputs...)
	if err != nil {
		return err
	}

	stream, stop, err := backends(o, log)
	if err != nil {
		return err
	}
	defer stop()
	defer stream.Close()
	session := fullduplex.NewDuplexSession(stream)
	return mics.RunDuplex(ctx, session, withSwitches(log, &console.Transcript{W: out, Model: "kiosk"}))
}

// backends returns Gemini Live with a Gemini turn model to fail over to,
// against local fakes when there is no key or o.offline is set.
func backends(o options, log io.Writer) (*attention.CompositeStream, func(), error) {
	live := gemini.Config{Model: o.liveModel, SystemInstruction: "You are the help desk of an airport kiosk. Answer in one short sentence."}
	turn := geminiturn.Config{Model: o.turnModel, SystemInstruction: live.SystemInstruction}
	stop := func() {}
	if o.offline || !offline.KeyFromEnv() {
		liveSrv := geminitest.NewServer(geminitest.Options{Echo: true})
		turnSrv := geminiturntest.NewServer()
		stop = func() { liveSrv.Close(); turnSrv.Close() }
		// The fake Live service accepts only its own key: it refuses this
		// one, as the real one refuses a bad key, so the kiosk fails over.
		live.BaseURL, live.APIKey = liveSrv.URL(), "a-key-the-service-refuses"
		turn.BaseURL, turn.APIKey = turnSrv.URL(), "offline"
		fmt.Fprintln(log, "Offline mode: a local fake Gemini Live that refuses the key, and a local fake turn model that echoes.")
	}
	model, err := geminiturn.New(turn)
	if err != nil {
		stop()
		return nil, nil, err
	}
	stream, err := attention.NewComposite(attention.CompositeConfig{
		Members: []attention.Member{{Name: "live", Stream: gemini.NewStream(live), Hears: true}},
		Failover: []attention.Member{{Name: "turn", Stream: realtime.NewStream(model, realtime.Config{
			Triggers:        realtime.TriggerFinalTranscript,
			EchoTranscripts: true,
		})}},
	})
	if err != nil {
		stop()
		return nil, nil, err
	}
	return stream, stop, nil
}

// listenOnly is the instruction of a microphone's transcriber.
const listenOnly = "You only listen to a kiosk's microphone. Never answer; stay silent."

// transcriber connects a Gemini Live session whose input transcription is
// a microphone's speech-to-text.
func transcriber(ctx context.Context, o options) (*gemini.Stream, error) {
	st := gemini.NewStream(gemini.Config{Model: o.liveModel, SystemInstruction: listenOnly, DisableOutputTranscription: true})
	if err := st.Connect(ctx); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// microphone returns microphone i: a WAV file played in real time, then,
// when transcribe is set, its transcript from -say, as a speech-to-text
// step would give it at the end of the utterance.
func microphone(o options, i int, transcribe bool) (fullduplex.Source, error) {
	var data []byte
	var err error
	cfg := wavio.SourceConfig{Realtime: true, TrailSilence: 300 * time.Millisecond}
	say := o.say[i]
	if o.in[i] == "" {
		data, err = recordings.ReadFile(defaults[i].file)
		cfg.LeadSilence = defaults[i].lead
		if say == "" {
			say = defaults[i].say
		}
	} else {
		data, err = os.ReadFile(o.in[i])
	}
	if err != nil {
		return nil, err
	}
	wav, err := wavio.NewSource(bytes.NewReader(data), cfg)
	if err != nil {
		return nil, fmt.Errorf("microphone %d: %w", i+1, err)
	}
	if !transcribe {
		return wav, nil
	}
	return &transcribed{Source: wav, text: say}, nil
}

// transcribed is a Source of audio followed by its final transcript.
type transcribed struct {
	fullduplex.Source
	text string
	done bool
}

func (t *transcribed) Next(ctx context.Context) (fullduplex.Symbol, error) {
	s, err := t.Source.Next(ctx)
	if err != io.EOF || t.done || t.text == "" {
		return s, err
	}
	t.done = true
	s = fullduplex.TextSymbol(t.text)
	s.Metadata = map[string]any{fullduplex.MetaTranscript: true, fullduplex.MetaFinal: true, fullduplex.MetaRole: fullduplex.RoleUser}
	return s, nil
}

// withSwitches prints the composite's switches between backends on w, and
// everything else on sink.
func withSwitches(w io.Writer, sink fullduplex.Sink) fullduplex.Sink {
	return fullduplex.SinkFunc(func(ctx context.Context, item fullduplex.StreamItem) error {
		if ev, ok := item.(fullduplex.StreamEvent); ok {
			if sw, ok := ev.Data.(attention.Switch); ok {
				_, err := fmt.Fprintf(w, "[%s]\n", sw)
				return err
			}
		}
		return sink.Write(ctx, item)
	})
}

// lockedWriter serialises the lines of the floor, printed from the
// microphones' side, and of the switches, printed from the model's.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
