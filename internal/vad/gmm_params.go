package vad

// The trained starting point and limits of the subband GMM detector.
//
// These numbers are the model parameters of the WebRTC project's voice
// activity detector (common_audio/vad, Copyright (c) 2011 The WebRTC project
// authors, BSD 3-Clause licence: https://webrtc.org/support/license), which
// publishes its algorithm and its trained Gaussian mixtures. WebRTC keeps
// them in fixed point (Q7: value×128); they are converted here to dB of
// band energy, the unit of this package's features. The code that uses them
// is this package's own floating-point implementation.

const (
	numBands    = 6 // 80-250, 250-500, 500-1000, 1000-2000, 2000-3000, 3000-4000 Hz
	numGaussian = 2 // per band and hypothesis
)

// q7 converts a WebRTC Q7 value to a float.
func q7(v int) float64 { return float64(v) / 128 }

// gaussTable holds one value per band and Gaussian, in WebRTC's layout
// (the first Gaussian of the six bands, then the second).
type gaussTable [numGaussian * numBands]int

func (t gaussTable) at(band, k int) float64 { return q7(t[k*numBands+band]) }

var (
	noiseWeights  = gaussTable{34, 62, 72, 66, 53, 25, 94, 66, 56, 62, 75, 103}
	speechWeights = gaussTable{48, 82, 45, 87, 50, 47, 80, 46, 83, 41, 78, 81}
	noiseMeans    = gaussTable{6738, 4892, 7065, 6715, 6771, 3369, 7646, 3863, 7820, 7266, 5020, 4362}
	speechMeans   = gaussTable{8306, 10085, 10078, 11823, 11843, 6309, 9473, 9571, 10879, 7581, 8180, 7483}
	noiseStds     = gaussTable{378, 1064, 493, 582, 688, 593, 474, 697, 475, 688, 421, 455}
	speechStds    = gaussTable{555, 505, 567, 524, 585, 1231, 509, 828, 492, 1540, 1079, 850}
)

// Per-band constants, dB.
var (
	// bandWeight weighs each band's log-likelihood ratio in the global test.
	bandWeight = [numBands]float64{6, 8, 10, 12, 14, 16}
	// minSeparation: the speech model's mean is kept at least this far
	// above the noise model's.
	minSeparation = [numBands]float64{17, 17, 18, 18, 18, 18}
	// maxSpeechMean and maxNoiseMean cap the models' (weighted) means.
	maxSpeechMean = [numBands]float64{89, 89, 90, 90, 90, 90}
	maxNoiseMean  = [numBands]float64{72, 71, 70, 69, 68, 67}
	// bandOffset is added to each band's log energy (it compensates for
	// the narrower bands' fewer samples).
	bandOffset = [numBands]float64{23, 23, 17, 11, 11, 11}
)

// Model adaptation.
const (
	noiseStep     = 655.0 / 32768  // noise mean update gain
	speechStep    = 6554.0 / 32768 // speech mean update gain
	minTrackGain  = 154.0 / 256    // pull of the noise means towards the tracked minimum
	speechStdStep = 0.1 / 4        // speech std update gain
	noiseStdStep  = 1.0 / 1024     // noise std update gain
	minStd        = 3.0            // dB, both models
	minEnergy     = 10             // blocks with less total band energy (int16² units) are not analysed
	maxSpeechRun  = 6              // blocks of speech after which the long hangover applies
	minNoiseMean  = 5              // dB, first Gaussian; the second's is one more
	minSpeechMean = 5              // dB, first Gaussian; the second's is one more
)

// speechCap is the highest mean of a speech Gaussian (WebRTC bounds band b
// by band b-1's maxSpeechMean plus 5 dB, and the first band by 105 dB).
var speechCap = [numBands]float64{105, 94, 94, 95, 95, 95}
