package vad

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fullduplex-go/fullduplex/internal/pcm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// leStreams are the repository's speech and noise recordings at rate: the
// committed utterances end to end in every noise condition of the corpus
// tests, and the WAVs of the repository's and the kiosk example's testdata.
func leStreams(t *testing.T, rate int) map[string][]int16 {
	t.Helper()
	out := map[string][]int16{}
	clean := cleanStream(t, rate)
	for _, c := range noiseCases {
		out["corpus "+c.name] = noisy(t, clean, c).Samples
	}
	for _, name := range []string{"hello.wav", "interrupt.wav"} {
		out[name] = loadSpeech(t, name, rate)
	}
	for _, name := range []string{"heykiosk.wav", "passerby.wav"} {
		out[name] = loadWAV(t, filepath.Join("..", "..", "examples", "kiosk", "testdata", name), rate)
	}
	return out
}

// ProcessLE gives Process's verdicts, events, noise floor and levels, bit
// for bit, over the speech and noise recordings, at several rates, frame
// lengths and configurations (the high-pass one takes ProcessLE's float
// path); the zero-crossing rate too whenever it measures it, and it skips
// it (the cheap path) on most frames.
func TestProcessLEMatchesProcess(t *testing.T) {
	configs := []Config{
		{},
		{MinSpeech: 20e6, Hangover: 500e6, ThresholdDB: 3, MinLevelDB: -70, MaxZCR: 0.3, NoiseAdapt: 3e9},
		{HighPassHz: 80},
	}
	type run struct {
		rate    int
		configs []int
		ms      []int
	}
	for _, r := range []run{
		{16000, []int{0, 1, 2}, []int{20, 7, 30}},
		{8000, []int{0, 2}, []int{20}},
		{48000, []int{0, 2}, []int{20}},
	} {
		rate := r.rate
		streams := leStreams(t, rate)
		for _, ci := range r.configs {
			cfg := configs[ci]
			cfg.SampleRate = rate
			for _, ms := range r.ms {
				for name, samples := range streams {
					t.Run(fmt.Sprintf("%d/config%d/%dms/%s", rate, ci, ms, name), func(t *testing.T) {
						old, err := New(cfg)
						require.NoError(t, err)
						le, err := New(cfg)
						require.NoError(t, err)
						n := rate * ms / 1000
						frames, skipped, speech := 0, 0, 0
						var raw []byte
						for i := 0; i < len(samples); i += n {
							f := samples[i:min(i+n, len(samples))]
							raw = pcm.EncodeInt16(raw[:0], f)
							wantEv, err := old.Process(f)
							require.NoError(t, err)
							gotEv, err := le.ProcessLE(raw)
							require.NoError(t, err)
							want, got := old.Last(), le.Last()
							if gotEv != wantEv || le.Speaking() != old.Speaking() || got.Speech != want.Speech ||
								math.Float64bits(got.LevelDB) != math.Float64bits(want.LevelDB) ||
								math.Float64bits(got.NoiseFloorDB) != math.Float64bits(want.NoiseFloorDB) ||
								got.ZCR != -1 && got.ZCR != want.ZCR {
								t.Fatalf("frame %d: ProcessLE %v %+v speaking %v; Process %v %+v speaking %v",
									frames, gotEv, got, le.Speaking(), wantEv, want, old.Speaking())
							}
							frames++
							if got.ZCR == -1 {
								skipped++
							}
							if want.Speech {
								speech++
							}
						}
						require.Positive(t, speech, "no speech heard: the comparison proves little")
						switch {
						case ci == 0 && strings.HasPrefix(name, "corpus"): // the defaults, over mostly pauses
							assert.Greater(t, skipped, frames/3, "the cheap path was taken on %d of %d frames", skipped, frames)
						case cfg.HighPassHz == 0:
							assert.Positive(t, skipped, "the cheap path was never taken")
						default:
							assert.Zero(t, skipped, "the filtered path measures every frame")
						}
					})
				}
			}
		}
	}
}

// The one-pass sums and the crossings read in place give featuresInt16's
// level and zero-crossing rate exactly, on noise, tones, DC offsets,
// clipping and silence, odd lengths included.
func TestFeaturesLEMatchInt16(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	frames := [][]int16{{0}, {5}, {-32768, 32767}, {-32768}, {1, 2, 3}, make([]int16, 320)}
	for k := range 2000 {
		n := 1 + rng.IntN(1200)
		f := make([]int16, n)
		amp := []float64{1, 30, 3000, 40000}[k%4]
		dc := []float64{0, -20000, 7.5, 31000, -0.5}[(k/4)%5]
		for i := range f {
			v := dc + amp*math.Sin(float64(i)*0.07*float64(1+k%7)) + amp*0.3*(rng.Float64()-0.5)
			f[i] = int16(max(-32768, min(32767, math.Round(v))))
		}
		frames = append(frames, f)
	}
	for _, f := range frames {
		raw := pcm.EncodeInt16(nil, f)
		sum, sq := sumsLE(raw)
		wantL, wantZ := featuresInt16(f)
		gotL, gotZ := levelInt(sum, sq, int64(len(f))), crossingsLE(raw, sum, int64(len(f)))
		if math.Float64bits(gotL) != math.Float64bits(wantL) || gotZ != wantZ {
			t.Fatalf("frame of %d samples from %d: level %v, zcr %v; featuresInt16: %v, %v", len(f), f[0], gotL, gotZ, wantL, wantZ)
		}
	}
}

func TestProcessLEErrors(t *testing.T) {
	d, err := New(Config{})
	require.NoError(t, err)
	_, err = d.ProcessLE(nil)
	require.ErrorIs(t, err, ErrEmptyFrame)
	_, err = d.ProcessLE([]byte{1, 2, 3})
	require.ErrorIs(t, err, ErrOddFrame)
	// A bad frame changes nothing: the next frame starts the floor.
	_, err = d.ProcessLE(pcm.EncodeInt16(nil, make([]int16, 320)))
	require.NoError(t, err)
	assert.Equal(t, silenceDB, d.Last().NoiseFloorDB)
}

func TestProcessLEAllocatesNothing(t *testing.T) {
	speech := pcm.EncodeInt16(nil, pcm.AppendTone(nil, 300, 0.3, 16000, 320))
	quiet := make([]byte, 640)
	for _, hp := range []float64{0, 80} {
		d, err := New(Config{HighPassHz: hp})
		require.NoError(t, err)
		_, _ = d.ProcessLE(speech)
		allocs := testing.AllocsPerRun(100, func() {
			_, _ = d.ProcessLE(quiet)
			_, _ = d.ProcessLE(speech)
		})
		assert.Zero(t, allocs, "high-pass %g", hp)
	}
}

// BenchmarkProcessLE compares 20 ms frames at 16 kHz through ProcessLE
// with decoding them and calling Process (what the attending Source did
// before). quiet: one frame of quiet noise, far below the noise floor;
// quiet+speech: that frame, then one of speech (hello.wav), which the quiet
// frames keep well above the floor. One op is the frames named.
func BenchmarkProcessLE(b *testing.B) {
	speech := loadSpeech(b, "hello.wav", 16000)
	quiet := pcm.EncodeInt16(nil, pcm.AppendNoise(nil, 0.001, 320, 1))
	loud := pcm.EncodeInt16(nil, speech[len(speech)/2:len(speech)/2+320])
	for _, kind := range []string{"quiet", "quiet+speech"} {
		frames := [][]byte{quiet}
		if kind != "quiet" {
			frames = append(frames, loud)
		}
		b.Run(kind+"/decode+Process", func(b *testing.B) {
			d, _ := New(Config{})
			var x []int16
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range frames {
					x, _ = pcm.DecodeInt16(x[:0], f)
					_, _ = d.Process(x)
				}
			}
		})
		b.Run(kind+"/ProcessLE", func(b *testing.B) {
			d, _ := New(Config{})
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range frames {
					_, _ = d.ProcessLE(f)
				}
			}
		})
	}
}
