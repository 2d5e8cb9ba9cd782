package main

import (
	"flag"
	"io"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/audio"
	"github.com/fullduplex-go/fullduplex/examples/internal/console"
)

// observeFlags are -record, -price-in and -price-out.
var observeFlags console.Observe

func init() { observeFlags.Flags(flag.CommandLine) }

// observe turns on the session's per-turn metrics (printed by the
// transcript: time to first audio, to first audio played, the running
// cost) and, with -record, records the microphone as it is captured and
// the model as the speaker plays it. Call the returned stop when the
// conversation is over.
func observe(session *fullduplex.DuplexSession, cfg *audio.Config, o console.Observe, log io.Writer) (stop func(), err error) {
	session.Metrics = o.Metrics()
	rec, stop, err := o.Recorder(log)
	if err != nil || rec == nil {
		return stop, err
	}
	cfg.Sinks = append(cfg.Sinks, rec)
	filter := cfg.Filter
	cfg.Filter = func(in fullduplex.Source, out fullduplex.Sink) (fullduplex.Source, error) {
		in = rec.Source(in) // the microphone as captured, before any echo filter
		if filter == nil {
			return in, nil
		}
		return filter(in, out)
	}
	return stop, nil
}
