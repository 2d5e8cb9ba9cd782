package vad

import "math"

// The model: per band, a two-Gaussian mixture of the log energy under
// noise and another under speech. A block is speech if the weighted sum of
// the bands' log-likelihood ratios passes a global threshold or one band's
// ratio passes a local one (WebRTC's very aggressive thresholds). The noise
// mixture follows the background: it learns from blocks judged noise and is
// pulled towards a slowly tracked minimum of each band's energy; the speech
// mixture learns from blocks judged speech; the two are kept apart by a
// minimum separation. The local test also needs the band to stand
// localMarginDB above its tracked minimum.
//
// On top of that fixed test, an adaptive one. In loud noise the fixed
// thresholds miss most speech: the bands that only carry noise outvote the
// ones that carry the voice, and the weighted sum stays far below the
// global threshold, though clearly above its own level in noise alone. So
// the distribution of the sum (averaged over the last two blocks) is
// tracked over the blocks the fixed test calls noise, by a winsorised
// running mean and variance over about adaptBlocks blocks, and a block whose
// average is adaptK standard deviations above that mean is an adaptive hit.
// A hit counts as speech for its own block; two hits in a row count as
// speech with hangover, like the fixed test's. Chance hits in noise (a few
// per cent of blocks) therefore stay isolated and never add up to a word.
// Only the fixed verdict trains the models and the statistics, so the
// adaptive test cannot feed on its own mistakes.

type gaussian struct{ weight, mean, std float64 }

// density returns weight/std·exp(-(x-mean)²/(2std²)) and (x-mean)/std².
// A density below 2⁻¹⁰ of its peak counts as zero: far from both
// Gaussians, a hypothesis has no support at all.
func (g gaussian) density(x float64) (p, delta float64) {
	d := x - g.mean
	delta = d / (g.std * g.std)
	e := d * delta / 2
	if e >= densityCutoff {
		return 0, delta
	}
	return g.weight / g.std * math.Exp(-e), delta
}

const (
	// densityCutoff is ln(2¹⁰).
	densityCutoff = 10 * math.Ln2
	// Log-likelihood ratios saturate: a mixture density below
	// likelihoodFloor counts as likelihoodFloor.
	likelihoodFloor = 1.0 / (1 << 28)
	// minResponsibility: below this mixture density, the Gaussians of a
	// hypothesis do not share the update by their responsibilities (the
	// first takes it all for noise, none for speech).
	minResponsibility = 1.0 / (1 << 15)
)

// The adaptive test.
const (
	adaptK      = 2.0 // standard deviations above the noise-only mean
	adaptBlocks = 100 // time constant of the statistics, blocks (2 s)
	adaptWarmup = 25  // noise blocks before the adaptive test applies
)

// The fixed thresholds and hangover, for 20 ms blocks (WebRTC's very
// aggressive mode).
const (
	localThreshold  = 94.0 / 4 // one band's log2 likelihood ratio
	globalThreshold = 1050.0   // weighted sum of the bands' ratios
	shortHangover   = 3        // blocks after up to maxSpeechRun blocks of speech
	longHangover    = 5        // blocks after longer speech
)

// The local test also needs the band localMarginDB above its tracked
// background minimum: noise louder than the noise model's cap (WebRTC's
// model cannot represent backgrounds that loud) otherwise passes it now and
// then, and a few such blocks in a row read as a word.
const localMarginDB = 3.0

type bandModel struct {
	noise, speech [numGaussian]gaussian
	min           minTracker
}

// gmm is the state of the subband GMM detector on 20 ms blocks at 8 kHz.
type gmm struct {
	bands [numBands]bandModel

	analysed  int  // blocks with enough energy to analyse
	speechRun int  // consecutive speech blocks, at most maxSpeechRun
	hang      int  // hangover blocks left
	prevHit   bool // the previous block was a hit or speech

	// Statistics of the weighted sum over blocks the fixed test calls noise.
	noiseBlocks        int
	noiseLLR, noiseVar float64

	llr  float64 // the last analysed block's weighted sum
	feat [numBands]float64
}

func newGMM() gmm {
	var g gmm
	g.reset()
	return g
}

func (g *gmm) reset() {
	*g = gmm{}
	for b := range g.bands {
		m := &g.bands[b]
		for k := range numGaussian {
			m.noise[k] = gaussian{noiseWeights.at(b, k), noiseMeans.at(b, k), noiseStds.at(b, k)}
			m.speech[k] = gaussian{speechWeights.at(b, k), speechMeans.at(b, k), speechStds.at(b, k)}
		}
		m.min.reset()
	}
}

// noiseCap is the highest mean of a noise Gaussian.
func noiseCap(band, k int) float64 { return float64(72 + k - band) }

// step judges one block from its features and adapts the models; it
// returns the verdict with hangover.
func (g *gmm) step(feat [numBands]float64, total float64) bool {
	g.feat = feat
	speech, hit := false, false // the fixed test's verdict, an adaptive hit
	if total > minEnergy {
		var (
			rn, rs   [numBands][numGaussian]float64 // responsibilities
			dn, ds   [numBands][numGaussian]float64 // (x-mean)/std²
			weighted float64
			local    bool
		)
		for b := range g.bands {
			m := &g.bands[b]
			x := feat[b]
			var pn, ps [numGaussian]float64
			var h0, h1 float64
			for k := range numGaussian {
				pn[k], dn[b][k] = m.noise[k].density(x)
				ps[k], ds[b][k] = m.speech[k].density(x)
				h0 += pn[k]
				h1 += ps[k]
			}
			llr := math.Log2(max(h1, likelihoodFloor)) - math.Log2(max(h0, likelihoodFloor))
			weighted += llr * bandWeight[b]
			local = local || llr > localThreshold && x >= m.min.level+localMarginDB
			if h0 >= minResponsibility {
				rn[b][0] = pn[0] / h0
				rn[b][1] = 1 - rn[b][0]
			} else {
				rn[b][0] = 1
			}
			if h1 >= minResponsibility {
				rs[b][0] = ps[0] / h1
				rs[b][1] = 1 - rs[b][0]
			}
		}
		avg := weighted
		if g.analysed > 0 {
			avg = (weighted + g.llr) / 2
		}
		g.llr = weighted
		speech = local || weighted >= globalThreshold
		hit = g.noiseBlocks > adaptWarmup && avg >= g.noiseLLR+adaptK*math.Sqrt(g.noiseVar)
		if !speech {
			g.learnNoiseLLR(avg)
		}
		g.adapt(&feat, speech, &rn, &rs, &dn, &ds)
		g.analysed++
	}
	if hit && g.prevHit {
		speech = true
	}
	g.prevHit = hit || speech

	// Hangover: a short burst keeps the verdict for shortHangover blocks,
	// a longer one for longHangover.
	if !speech {
		g.speechRun = 0
		if g.hang > 0 {
			g.hang--
			return true
		}
		return hit
	}
	g.speechRun++
	if g.speechRun > maxSpeechRun {
		g.speechRun = maxSpeechRun
		g.hang = longHangover
	} else {
		g.hang = shortHangover
	}
	return true
}

// learnNoiseLLR updates the running mean and variance of the weighted sum
// over noise blocks. Once warmed up, values more than adaptK deviations
// above the mean count as exactly adaptK deviations above it, so that
// speech the fixed test missed moves the statistics little.
func (g *gmm) learnNoiseLLR(x float64) {
	g.noiseBlocks++
	a := max(1/float64(g.noiseBlocks), 1.0/adaptBlocks)
	d := x - g.noiseLLR
	if g.noiseBlocks > adaptWarmup {
		d = min(d, adaptK*math.Sqrt(g.noiseVar))
	}
	g.noiseLLR += a * d
	g.noiseVar = (1 - a) * (g.noiseVar + a*d*d)
}

func weightedMean(gs *[numGaussian]gaussian) float64 {
	var m float64
	for _, g := range gs {
		m += g.weight * g.mean
	}
	return m
}

// adapt updates the mixtures after the fixed test's verdict.
func (g *gmm) adapt(feat *[numBands]float64, speech bool, rn, rs, dn, ds *[numBands][numGaussian]float64) {
	for b := range g.bands {
		m := &g.bands[b]
		x := feat[b]
		floor := m.min.update(x, g.analysed)
		noiseMean := weightedMean(&m.noise)
		for k := range numGaussian {
			n, s := &m.noise[k], &m.speech[k]
			oldNoise, oldSpeech := n.mean, s.mean
			mean := n.mean
			if !speech {
				mean += noiseStep * rn[b][k] * dn[b][k]
			}
			mean += minTrackGain * (floor - noiseMean)
			n.mean = min(max(mean, float64(minNoiseMean+k)), noiseCap(b, k))

			if speech {
				mean := s.mean + speechStep*rs[b][k]*ds[b][k]
				s.mean = min(max(mean, float64(minSpeechMean+k)), speechCap[b])
				z2 := ds[b][k] * (x - oldSpeech) // ((x-mean)/std)²
				s.std = max(minStd, s.std+speechStdStep*rs[b][k]*(z2-1)/s.std)
			} else {
				z2 := dn[b][k] * (x - oldNoise)
				n.std = max(minStd, n.std+noiseStdStep*rn[b][k]*(z2-1)/n.std)
			}
		}
		// Keep the models apart, and below their caps.
		noiseMean = weightedMean(&m.noise)
		speechMean := weightedMean(&m.speech)
		if gap := speechMean - noiseMean; gap < minSeparation[b] {
			short := minSeparation[b] - gap
			for k := range numGaussian {
				m.speech[k].mean += 0.8125 * short
				m.noise[k].mean -= 0.1875 * short
			}
			noiseMean = weightedMean(&m.noise)
			speechMean = weightedMean(&m.speech)
		}
		if over := speechMean - maxSpeechMean[b]; over > 0 {
			for k := range numGaussian {
				m.speech[k].mean -= over
			}
		}
		if over := noiseMean - maxNoiseMean[b]; over > 0 {
			for k := range numGaussian {
				m.noise[k].mean -= over
			}
		}
	}
}
