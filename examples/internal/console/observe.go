package console

import (
	"flag"
	"fmt"
	"io"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/record"
)

// Observe is what the examples' observation flags ask for: per-turn
// metrics priced per million tokens, and a call recording.
type Observe struct {
	Record            string  // -record: the WAV file ("" none); the transcript goes beside it as .json
	PriceIn, PriceOut float64 // -price-in, -price-out: per million input and output tokens
}

// Flags registers -record, -price-in and -price-out on fs.
func (o *Observe) Flags(fs *flag.FlagSet) {
	fs.StringVar(&o.Record, "record", "", "record the call: a stereo WAV (you left, the model right) and a JSON transcript beside it")
	fs.Float64Var(&o.PriceIn, "price-in", 0, "price of a million input tokens, for the running cost (default: no cost shown)")
	fs.Float64Var(&o.PriceOut, "price-out", 0, "price of a million output tokens, for the running cost")
}

// Metrics returns the session's measurement with the prices asked for.
func (o Observe) Metrics() *fullduplex.MetricsConfig {
	return &fullduplex.MetricsConfig{Prices: fullduplex.Prices{
		Input:  map[fullduplex.Modality]float64{"": o.PriceIn},
		Output: map[fullduplex.Modality]float64{"": o.PriceOut},
	}}
}

// Recorder starts the recording asked for with -record, or returns nil.
// The returned stop closes it and tells log where it went.
func (o Observe) Recorder(log io.Writer) (rec *record.Recorder, stop func(), err error) {
	if o.Record == "" {
		return nil, func() {}, nil
	}
	rec, err = record.Create(o.Record, record.Config{})
	if err != nil {
		return nil, func() {}, err
	}
	return rec, func() {
		if err := rec.Close(); err != nil {
			fmt.Fprintln(log, "recording:", err)
			return
		}
		fmt.Fprintf(log, "Recorded the call to %s (and its transcript beside it).\n", o.Record)
	}, nil
}
