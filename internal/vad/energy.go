package vad

import (
	"math"
	"time"
)

// silenceDB is the level reported for a frame of digital silence.
const silenceDB = -120.0

// A frame this far above the noise floor beyond Config.ThresholdDB may cross
// zero up to loudMaxZCR times per sample and still count as speech. White
// noise crosses about 0.5 times per sample.
const (
	loudMarginDB = 6.0
	loudMaxZCR   = 0.45
)

// Time constants of the noise floor besides Config.NoiseAdapt.
const (
	floorFall       = 40 * time.Millisecond // towards a quieter background
	speechAdaptMult = 10                    // NoiseAdapt multiplier while a frame looks like speech
)

// Frame describes the last frame an EnergyDetector processed. It is a
// copy, safe to keep and share.
type Frame struct {
	LevelDB      float64 // RMS level of the frame (DC removed), dB relative to full scale
	NoiseFloorDB float64 // the noise floor the frame was judged against
	ZCR          float64 // zero crossings per sample; -1 if not measured (see ProcessLE)
	Speech       bool    // whether the frame itself looked like speech
}

// An EnergyDetector is a Detector that judges each frame by its level above
// an adaptive noise floor and by its zero-crossing rate, with a minimum
// speech duration and a hangover (see Config).
//
// The noise floor starts at the level of the first frame, so a stream is
// expected to start with background rather than speech; speech that is
// already under way is found after its first pause.
//
// An EnergyDetector is not safe for concurrent use; feed it from one
// goroutine.
type EnergyDetector struct {
	cfg Config
	hp  highPass  // used if cfg.HighPassHz > 0
	buf []float64 // the filtered frame, reused

	started bool
	floor   float64
	sm      smoother
	last    Frame
}

var _ Detector = (*EnergyDetector)(nil)

// New returns an EnergyDetector configured by cfg, or an error wrapping
// ErrConfig if a field is out of range.
func New(cfg Config) (*EnergyDetector, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &EnergyDetector{cfg: c, sm: smoother{
		minSpeech: durationSamples(c.MinSpeech, c.SampleRate),
		hangover:  durationSamples(c.Hangover, c.SampleRate),
	}}
	if c.HighPassHz > 0 {
		d.hp = newHighPass(c.HighPassHz, c.SampleRate)
	}
	return d, nil
}

func durationSamples(d time.Duration, rate int) int64 {
	return int64(math.Round(d.Seconds() * float64(rate)))
}

// Config returns the configuration in use, defaults filled in.
func (d *EnergyDetector) Config() Config { return d.cfg }

// Speaking reports whether the detector is inside speech.
func (d *EnergyDetector) Speaking() bool { return d.sm.speaking }

// Last describes the last frame processed.
func (d *EnergyDetector) Last() Frame { return d.last }

// Reset forgets the stream, the noise floor and the filter's state.
func (d *EnergyDetector) Reset() {
	d.hp.reset()
	d.started, d.floor, d.last = false, 0, Frame{}
	d.sm.reset()
}

// Process consumes the next frame and returns the transition it completes.
// It allocates nothing once it has seen a frame as long as this one.
func (d *EnergyDetector) Process(frame []int16) (Event, error) {
	if len(frame) == 0 {
		return None, ErrEmptyFrame
	}
	level, zcr := d.measure(frame)
	return d.judge(level, zcr, len(frame)), nil
}

// judge judges a frame of n samples by its level and zero-crossing rate,
// adapts the noise floor and returns the transition it completes.
func (d *EnergyDetector) judge(level, zcr float64, n int) Event {
	if !d.started {
		d.started = true
		d.floor = level
	}
	c := &d.cfg
	zcrLimit := c.MaxZCR
	if level >= d.floor+c.ThresholdDB+loudMarginDB {
		// Speech well above a noisy background crosses zero more often
		// (the noise rides on it), but still less than the noise alone.
		zcrLimit = max(zcrLimit, loudMaxZCR)
	}
	speech := level >= c.MinLevelDB && level >= d.floor+c.ThresholdDB && zcr <= zcrLimit
	d.last = Frame{LevelDB: level, NoiseFloorDB: d.floor, ZCR: zcr, Speech: speech}

	// Adapt the floor after judging the frame against it.
	dur := float64(n) / float64(c.SampleRate)
	tau := c.NoiseAdapt.Seconds()
	switch {
	case level < d.floor:
		tau = floorFall.Seconds()
	case speech:
		tau *= speechAdaptMult
	}
	d.floor += (level - d.floor) * (1 - math.Exp(-dur/tau))

	return d.sm.step(speech, int64(n))
}

// measure returns the level and zero-crossing rate of frame, high-passed
// first if so configured.
func (d *EnergyDetector) measure(frame []int16) (levelDB, zcr float64) {
	if d.cfg.HighPassHz == 0 && len(frame) <= maxExactFrame {
		return featuresInt16(frame)
	}
	d.buf = d.buf[:0]
	if d.cfg.HighPassHz > 0 {
		for _, s := range frame {
			d.buf = append(d.buf, d.hp.step(float64(s)))
		}
	} else {
		for _, s := range frame {
			d.buf = append(d.buf, float64(s))
		}
	}
	return features(d.buf)
}

// maxExactFrame is the longest frame featuresInt16 measures: n·Σs² stays
// within an int64 (n² · 2³⁰ < 2⁶³).
const maxExactFrame = 65536

// featuresInt16 is features of an unfiltered frame, computed on the
// samples as they are: the sums in integers (the energy about the mean
// exactly, as (n·Σs² − (Σs)²)/n), and the crossings of the mean by
// comparing each sample with it, which is what the sign of s − mean says.
// It returns what features returns for the same samples, in one pass and
// a quarter of the time, without the float copy.
func featuresInt16(frame []int16) (levelDB, zcr float64) {
	var sum, sq int64
	for _, s := range frame {
		v := int64(s)
		sum += v
		sq += v * v
	}
	n := int64(len(frame))
	mean := float64(sum) / float64(n)
	// s ≥ mean for an integer s is s ≥ ⌈mean⌉.
	// Each sign is 0 or -1 (s < ⌈mean⌉), counted without branches: the
	// crossings of speech and noise are too irregular to predict.
	thr := int32(math.Ceil(mean))
	crossings := int32(0)
	prev := (int32(frame[0]) - thr) >> 31
	for _, s := range frame[1:] {
		cur := (int32(s) - thr) >> 31
		crossings += (cur ^ prev) & 1
		prev = cur
	}
	if n > 1 {
		zcr = float64(crossings) / float64(n-1)
	}
	return levelInt(sum, sq, n), zcr
}

// levelInt is the RMS level in dBFS, about the mean, of n samples whose sum
// is sum and sum of squares sq (n·sq within an int64).
func levelInt(sum, sq, n int64) float64 {
	energy := float64(n*sq-sum*sum) / float64(n)
	rms := math.Sqrt(energy/float64(n)) / 32768
	if rms > 0 {
		return max(silenceDB, 20*math.Log10(rms))
	}
	return silenceDB
}

// features returns the RMS level in dBFS of frame (in int16 units) with its
// mean removed, and its zero-crossing rate (crossings of the mean, per
// sample).
func features(frame []float64) (levelDB, zcr float64) {
	var sum float64
	for _, s := range frame {
		sum += s
	}
	mean := sum / float64(len(frame))
	var energy float64
	crossings := 0
	prev := frame[0] - mean
	for _, s := range frame {
		v := s - mean
		energy += v * v
		if (v >= 0) != (prev >= 0) {
			crossings++
		}
		prev = v
	}
	rms := math.Sqrt(energy/float64(len(frame))) / 32768
	levelDB = silenceDB
	if rms > 0 {
		levelDB = max(silenceDB, 20*math.Log10(rms))
	}
	if len(frame) > 1 {
		zcr = float64(crossings) / float64(len(frame)-1)
	}
	return levelDB, zcr
}
