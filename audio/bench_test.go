package audio

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/fullduplex-go/fullduplex"
	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// reportDist reports the median and 99th percentile of ds, in ms, and in
// callback periods when period > 0.
func reportDist(b *testing.B, name string, ds []time.Duration, period time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	q := func(p float64) time.Duration { return ds[min(len(ds)-1, int(p*float64(len(ds))))] }
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	b.ReportMetric(ms(q(0.5)), name+"-p50-ms")
	b.ReportMetric(ms(q(0.99)), name+"-p99-ms")
	b.ReportMetric(ms(ds[len(ds)-1]), name+"-max-ms")
	if period > 0 {
		b.ReportMetric(float64(q(0.5))/float64(period), name+"-p50-periods")
		b.ReportMetric(float64(q(0.99))/float64(period), name+"-p99-periods")
	}
}

// BenchmarkFlushLatency plays a tone on the real default speaker, flushes
// at a random moment, and measures (1) Flush → the first callback that
// plays silence (the library's part: at most one callback period) and (2)
// Flush → silence observed at the "speaker" sink's monitor (adds the
// audio already handed to PulseAudio and the monitor's recording path).
//
//	go test -run '^$' -bench FlushLatency -benchtime 50x ./audio
func BenchmarkFlushLatency(b *testing.B) { benchFlush(b, SpeakerConfig{}) }

// BenchmarkFlushLatencyByOutputLatency is BenchmarkFlushLatency at several
// suggested output latencies, with the device's underflows per minute of
// the run (playing, flushing and waiting for the monitor to fall silent):
// what a lower latency gains at barge-in, and what it costs on a loaded
// machine.
//
//	go test -run '^$' -bench FlushLatencyByOutputLatency -benchtime 20x ./audio
func BenchmarkFlushLatencyByOutputLatency(b *testing.B) {
	for _, l := range []time.Duration{20 * time.Millisecond, 40 * time.Millisecond, DefaultOutputLatency} {
		b.Run("latency="+l.String(), func(b *testing.B) { benchFlush(b, SpeakerConfig{Latency: l}) })
	}
}

func benchFlush(b *testing.B, cfg SpeakerConfig) {
	requireRig(b)
	rec := record(b, "speaker.monitor", 16000)
	sp, err := OpenSpeaker(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer sp.Close()
	underflows := sp.Stats().DeviceUnderflows
	began := time.Now()
	ctx := context.Background()
	tone := toneSymbols(440, 0.5, 24000, 600*time.Millisecond)
	var toCallback, toMonitor []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, s := range tone {
			if err := sp.Write(ctx, s); err != nil {
				b.Fatal(err)
			}
		}
		start := time.Now()
		if !waitFor(3*time.Second, func() bool {
			s := rec.Since(start)
			return len(s) >= 160 && pcm.DBFS(s[len(s)-160:]) > -20
		}) {
			b.Fatal("the tone never reached the monitor")
		}
		time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
		tf := time.Now()
		sp.Flush()
		if !waitFor(2*time.Second, func() bool { return sp.c.stats().flushCB > time.Duration(sp.flushAt.Load()) }) {
			b.Fatal("no callback after Flush")
		}
		toCallback = append(toCallback, sp.c.stats().flushCB-time.Duration(sp.flushAt.Load()))
		time.Sleep(250 * time.Millisecond)
		if d, ok := silenceOnset(rec, tf); ok {
			toMonitor = append(toMonitor, d)
		}
		sp.Flush() // nothing left: a clean start for the next round
	}
	b.StopTimer()
	reportDist(b, "flush-to-silent-callback", toCallback, sp.Period())
	reportDist(b, "flush-to-monitor-silence", toMonitor, sp.Period())
	b.ReportMetric(float64(sp.Stats().DeviceUnderflows-underflows)/time.Since(began).Minutes(), "underflows/min")
}

// silenceOnset finds when, after t, the recording fell silent for good
// (1 ms windows below -60 dBFS to the end), estimating each sample's
// arrival from its block's, and returns the delay from t.
func silenceOnset(r *recording, t time.Time) (time.Duration, bool) {
	type at struct {
		t time.Time
		v int16
	}
	var s []at
	for _, blk := range r.Blocks(t) {
		n := len(blk.Samples)
		for i, v := range blk.Samples {
			s = append(s, at{blk.At.Add(-time.Duration(n-1-i) * time.Second / time.Duration(r.Rate())), v})
		}
	}
	const w = 16
	last := -1 // last loud window
	win := make([]int16, w)
	for i := 0; i+w <= len(s); i += w {
		for j := range w {
			win[j] = s[i+j].v
		}
		if pcm.DBFS(win) > -60 {
			last = i
		}
	}
	if last < 0 || last+w >= len(s) {
		return 0, false
	}
	return s[last+w].t.Sub(t), true
}

// BenchmarkMicrophoneLatency measures, on the real default microphone, the
// delay from the capture of a chunk's last sample (the callback's clock) to
// Next returning it: the ring, the polling, the resampler's look-ahead.
//
//	go test -run '^$' -bench MicrophoneLatency -benchtime 500x ./audio
func BenchmarkMicrophoneLatency(b *testing.B) {
	for _, period := range []time.Duration{10 * time.Millisecond, 5 * time.Millisecond} {
		b.Run("period="+period.String(), func(b *testing.B) { benchMicLatency(b, period) })
	}
}

func benchMicLatency(b *testing.B, period time.Duration) {
	requireRig(b)
	mic, err := OpenMicrophone(MicrophoneConfig{Period: period})
	if err != nil {
		b.Fatal(err)
	}
	defer mic.Close()
	ctx := context.Background()
	for range 10 { // warm up
		if _, err := mic.Next(ctx); err != nil {
			b.Fatal(err)
		}
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		s, err := mic.Next(ctx)
		if err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(s.Timestamp))
	}
	b.StopTimer()
	reportDist(b, "capture-to-next", lat, mic.cfg.Period)
	b.ReportMetric(float64(mic.Stats().Overflows), "overflows")
}

// BenchmarkSpeakerWrite: the cost of Write for one 40 ms chunk of Gemini's
// 24 kHz audio into a 48 kHz ring (resample + copy), without a device.
func BenchmarkSpeakerWrite(b *testing.B) { benchSpeakerWrite(b, 24000) }

// BenchmarkSpeakerWritePassthrough: Write for one 40 ms chunk already at
// the device's 48 kHz: the pipeline's own cost (decode, queue, commit)
// without the resampler.
func BenchmarkSpeakerWritePassthrough(b *testing.B) { benchSpeakerWrite(b, 48000) }

func benchSpeakerWrite(b *testing.B, rate int) {
	cfg, _ := SpeakerConfig{Buffer: time.Second}.withDefaults()
	c, err := newCStream(false, 1, 48000, 48000, cfg.LevelDecay)
	if err != nil {
		b.Fatal(err)
	}
	sp := newSpeaker(cfg, Device{Name: "fake"}, 48000, c)
	defer sp.Close()
	sym := fullduplex.AudioSymbol(pcm.EncodeInt16(nil, pcm.AppendTone(nil, 440, 0.5, rate, rate/25)), rate)
	out := make([]int16, 1920)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		if err := sp.Write(ctx, sym); err != nil {
			b.Fatal(err)
		}
		c.drive(nil, out, 1920, 0)
	}
}

// BenchmarkPlaybackCallback: one 10 ms playback callback at 48 kHz (the C
// callback plus the cgo call that drives it here).
func BenchmarkPlaybackCallback(b *testing.B) {
	c, err := newCStream(false, 2, 48000, 48000, 250*time.Millisecond)
	if err != nil {
		b.Fatal(err)
	}
	src := pcm.AppendTone(nil, 440, 0.5, 48000, 480)
	out := make([]int16, 960)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		n := c.stage(src)
		c.commit(n)
		c.drive(nil, out, 480, 0)
	}
}
