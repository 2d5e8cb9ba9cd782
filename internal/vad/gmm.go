package vad

import (
	"fmt"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
)

// ErrFrameLength is returned by GMMDetector.Process for a frame longer than
// MaxGMMFrame.
var ErrFrameLength = fmt.Errorf("vad: frame longer than %v", MaxGMMFrame)

// GMMFrame describes the last frame a GMMDetector processed. It is a copy,
// safe to keep and share.
type GMMFrame struct {
	// Speech is the verdict on the frame itself, with the detector's own
	// short hangover (60 to 100 ms) but before MinSpeech and Hangover: true
	// if any analysis block completed in the frame was speech. A frame that
	// completes no block keeps the previous verdict.
	Speech bool
	// LLR is the last analysed block's weighted sum of the bands'
	// log-likelihood ratios of speech against noise (log2 units).
	LLR float64
	// BandDB is the last block's energy per band (80-250, 250-500,
	// 500-1000, 1000-2000, 2000-3000, 3000-4000 Hz), dB of int16² units
	// plus a per-band offset.
	BandDB [numBands]float64
}

// A GMMDetector is a Detector that models the energy of each of six
// frequency bands as a mixture of two Gaussians under speech and two under
// noise, decides each 20 ms block by likelihood-ratio tests, and adapts both
// models to the stream: the design of WebRTC's VAD, implemented here in
// floating point, with an 80 Hz high-pass in front and a second, adaptive
// threshold that keeps finding speech in loud noise (see gmm_model.go). It
// holds up in white and brown noise where the EnergyDetector does not;
// BENCHMARKS.md has the side-by-side numbers.
//
// Like the EnergyDetector it expects a stream to start with background: it
// learns the noise from the first block on.
//
// Frames of any length from one sample to MaxGMMFrame are accepted; they
// are cut into blocks internally (a partial block waits for the next frame),
// so a verdict can lag its frame by up to one block.
//
// A GMMDetector is not safe for concurrent use; feed it from one goroutine.
type GMMDetector struct {
	cfg      GMMConfig
	maxFrame int // samples

	hp         highPass // at the input rate, if cfg.HighPassHz > 0
	half       [2]allPass
	held       float64 // a 16 kHz sample waiting for its pair
	haveHeld   bool
	resample   *pcm.Resampler // for rates other than 8000 and 16000
	resampleTo int            // its output rate: 16000 from higher rates, else 8000
	lead       int            // zero samples that start pending: the resampler's latency at 8 kHz
	rin        []int16        // resampler input, reused
	rout       []int16        // resampler output, reused

	pending []float64 // 8 kHz samples not yet in a block
	bank    filterbank
	model   gmm
	sm      smoother
	last    GMMFrame
}

var _ Detector = (*GMMDetector)(nil)

// blockLen is the analysis block: 20 ms at 8 kHz.
const blockLen = maxBlock

// NewGMM returns a GMMDetector configured by cfg, or an error wrapping
// ErrConfig if a field is out of range.
func NewGMM(cfg GMMConfig) (*GMMDetector, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	d := &GMMDetector{
		cfg:      c,
		maxFrame: int(durationSamples(MaxGMMFrame, c.SampleRate)),
		half:     halfBand(),
		bank:     newFilterbank(),
		model:    newGMM(),
		sm: smoother{
			minSpeech: durationSamples(c.MinSpeech, c.SampleRate),
			hangover:  durationSamples(c.Hangover, c.SampleRate),
		},
	}
	if c.HighPassHz > 0 {
		d.hp = newHighPass(c.HighPassHz, c.SampleRate)
	}
	maxOut := d.maxFrame // at 8 kHz, at most this many samples per frame
	if c.SampleRate != 8000 && c.SampleRate != 16000 {
		// Higher rates go to 16 kHz and through the half-band stage:
		// cheaper than resampling to 8 kHz directly.
		d.resampleTo = 16000
		if c.SampleRate < 16000 {
			d.resampleTo = 8000
		}
		if d.resample, err = pcm.NewResampler(c.SampleRate, d.resampleTo); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		// The resampler delivers each 8 kHz sample FilterHalfWidth input
		// samples late. Starting the blocks that much early makes each
		// block complete within the frame it mostly covers.
		d.lead = (d.resample.FilterHalfWidth()*8000 + c.SampleRate - 1) / c.SampleRate
		maxOut = d.maxFrame*d.resampleTo/c.SampleRate + d.resample.FilterHalfWidth() + 2
		d.rin = make([]int16, 0, d.maxFrame)
		d.rout = make([]int16, 0, maxOut)
	}
	d.pending = make([]float64, d.lead, blockLen+d.lead+maxOut)
	return d, nil
}

func halfBand() [2]allPass { return [2]allPass{{c: allPassUpper}, {c: allPassLower}} }

// Config returns the configuration in use, defaults filled in.
func (d *GMMDetector) Config() GMMConfig { return d.cfg }

// Speaking reports whether the detector is inside speech.
func (d *GMMDetector) Speaking() bool { return d.sm.speaking }

// Last describes the last frame processed.
func (d *GMMDetector) Last() GMMFrame { return d.last }

// Reset forgets the stream: the filters' state, the adapted models and any
// partial block.
func (d *GMMDetector) Reset() {
	d.hp.reset()
	d.half = halfBand()
	d.held, d.haveHeld = 0, false
	if d.resample != nil {
		d.resample.Reset()
	}
	d.pending = d.pending[:d.lead]
	clear(d.pending)
	d.bank.reset()
	d.model.reset()
	d.sm.reset()
	d.last = GMMFrame{}
}

// Process consumes the next frame, 1 sample to MaxGMMFrame long, and
// returns the transition it completes. It allocates nothing.
func (d *GMMDetector) Process(frame []int16) (Event, error) {
	switch {
	case len(frame) == 0:
		return None, ErrEmptyFrame
	case len(frame) > d.maxFrame:
		return None, fmt.Errorf("%w: %d samples at %d Hz", ErrFrameLength, len(frame), d.cfg.SampleRate)
	}
	d.toNarrowband(frame)
	speech, analysed := false, false
	i := 0
	for ; i+blockLen <= len(d.pending); i += blockLen {
		feat, total := d.bank.features(d.pending[i : i+blockLen])
		speech = d.model.step(feat, total) || speech
		analysed = true
	}
	d.pending = d.pending[:copy(d.pending, d.pending[i:])]
	if !analysed {
		speech = d.last.Speech
	}
	d.last = GMMFrame{Speech: speech, LLR: d.model.llr, BandDB: d.model.feat}
	return d.sm.step(speech, int64(len(frame))), nil
}

// toNarrowband high-passes frame and appends it, at 8 kHz, to d.pending.
func (d *GMMDetector) toNarrowband(frame []int16) {
	if d.resample == nil {
		d.decimate(frame, d.cfg.SampleRate)
		return
	}
	d.rin = d.rin[:0]
	for _, s := range frame {
		x := float64(s)
		if d.cfg.HighPassHz > 0 {
			x = d.hp.step(x)
		}
		d.rin = append(d.rin, pcm.FloatToInt16(float32(x/32768)))
	}
	d.rout = d.resample.Process(d.rout[:0], d.rin)
	d.decimate(d.rout, d.resampleTo)
}

// decimate appends samples at rate (8000 or 16000) to d.pending at 8 kHz,
// high-passing them first unless they come from the resampler (which
// high-passed them at the input rate).
func (d *GMMDetector) decimate(samples []int16, rate int) {
	filter := d.cfg.HighPassHz > 0 && d.resample == nil
	for _, s := range samples {
		x := float64(s)
		if filter {
			x = d.hp.step(x)
		}
		if rate == 8000 {
			d.pending = append(d.pending, x)
			continue
		}
		// Half-band decimation: the mean of two all-pass branches, one on
		// the even samples and one on the odd.
		if !d.haveHeld {
			d.held, d.haveHeld = x, true
			continue
		}
		d.haveHeld = false
		d.pending = append(d.pending, (d.half[0].step(d.held)+d.half[1].step(x))/2)
	}
}
