// Command vadbench scores the voice activity detectors side by side on the
// benchmark corpus that internal/vad/testdata/gen-corpus.sh writes: 20
// espeak-ng utterances laid end to end (2 s of lead-in, 1.5 s between
// them), clean and with white and brown noise at 20, 10 and 0 dB SNR. It
// prints one Markdown table: F1 per 20 ms frame, onset latency, what the
// barge-in rule would have done. CPU per hour of audio is measured by the
// package's benchmarks (go test -bench), not here.
//
//	internal/vad/testdata/gen-corpus.sh /tmp/vadcorpus
//	go run ./internal/vad/cmd/vadbench -corpus /tmp/vadcorpus
//	go run -tags webrtcvad ./internal/vad/cmd/vadbench -corpus /tmp/vadcorpus   # adds WebRTC (cgo)
//
// The webrtcvad build tag adds WebRTC's own VAD through cgo from Debian's
// libwebrtc-audio-processing1, for comparison only.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/fullduplex-go/fullduplex/internal/vad/vadeval"
)

// A detector makes a fresh per-frame judge for a stream at rate Hz.
type detector struct {
	name string
	make func(rate int) (vadeval.FrameFunc, func(), error) // judge, close
}

// detectors is filled by detectors.go and, with the webrtcvad tag, webrtc.go.
var detectors []detector

type condition struct {
	name  string
	noise string // file; "" for clean
	snr   float64
}

var conditions = []condition{
	{"clean", "", 0},
	{"white 20 dB", "white.wav", 20},
	{"white 10 dB", "white.wav", 10},
	{"white 0 dB", "white.wav", 0},
	{"brown 20 dB", "brown.wav", 20},
	{"brown 10 dB", "brown.wav", 10},
	{"brown 0 dB", "brown.wav", 0},
}

func main() {
	corpus := flag.String("corpus", "/tmp/vadcorpus", "directory written by gen-corpus.sh")
	only := flag.String("only", "", "comma-separated detector names, a trailing * matches a prefix (default all)")
	verbose := flag.Bool("v", false, "print where false barge-ins fired")
	flag.Parse()
	if err := run(os.Stdout, os.Stderr, *corpus, *only, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "vadbench:", err)
		os.Exit(1)
	}
}

func run(out, logw io.Writer, dir, only string, verbose bool) error {
	const rate = 16000
	var utts [][]int16
	for i := 1; ; i++ {
		s, err := load(filepath.Join(dir, fmt.Sprintf("utt%02d.wav", i)), rate)
		if os.IsNotExist(err) && i > 1 {
			break
		}
		if err != nil {
			return err
		}
		utts = append(utts, s)
	}
	clean, err := vadeval.Build(utts, rate, 20*time.Millisecond, 2*time.Second, 1500*time.Millisecond)
	if err != nil {
		return err
	}
	streams := make([]vadeval.Stream, len(conditions))
	for i, c := range conditions {
		if c.noise == "" {
			streams[i] = clean
			continue
		}
		noise, err := load(filepath.Join(dir, c.noise), rate)
		if err != nil {
			return err
		}
		if streams[i], err = clean.WithNoise(noise, c.snr); err != nil {
			return err
		}
	}
	speech := 0
	for _, l := range clean.Labels {
		if l {
			speech++
		}
	}
	fmt.Fprintf(out, "corpus: %d utterances, %d frames of 20 ms (%.1f s), %d labelled speech\n\n",
		len(utts), clean.Frames(), float64(clean.Frames())/50, speech)
	fmt.Fprintln(out, "| detector | condition | F1 | precision | recall | onset p50 / p90 | missed | barge-in caught | false barge-ins | barge-in p50 / p90 |")
	fmt.Fprintln(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, d := range detectors {
		if only != "" && !contains(strings.Split(only, ","), d.name) {
			continue
		}
		for i, c := range conditions {
			judge, done, err := d.make(rate)
			if err != nil {
				return fmt.Errorf("%s: %w", d.name, err)
			}
			r, err := vadeval.Run(streams[i], judge)
			done()
			if err != nil {
				return fmt.Errorf("%s, %s: %w", d.name, c.name, err)
			}
			if verbose && len(r.FalseAt) > 0 {
				fmt.Fprintf(logw, "%s, %s: false barge-ins at frames %v\n", d.name, c.name, r.FalseAt)
			}
			fmt.Fprintf(out, "| %s | %s | %.3f | %.3f | %.3f | %d / %d ms | %d | %d/%d | %d | %d / %d ms |\n",
				d.name, c.name, r.F1(), r.Precision(), r.Recall(),
				r.OnsetPercentile(50).Milliseconds(), r.OnsetPercentile(90).Milliseconds(), r.Missed(),
				r.Caught, len(utts), r.FalseBargeIns,
				r.BargeInPercentile(50).Milliseconds(), r.BargeInPercentile(90).Milliseconds())
		}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v = strings.TrimSpace(v); v == s || strings.HasSuffix(v, "*") && strings.HasPrefix(s, v[:len(v)-1]) {
			return true
		}
	}
	return false
}

// load reads a mono WAV file at rate Hz.
func load(path string, rate int) ([]int16, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	w, err := pcm.ReadWAV(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if w.SampleRate != rate || w.Channels != 1 {
		return nil, fmt.Errorf("%s: %d Hz, %d channels (want %d Hz mono: run gen-corpus.sh)", path, w.SampleRate, w.Channels, rate)
	}
	return w.Samples, nil
}
