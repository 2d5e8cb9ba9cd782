package bargein

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// noise returns d of white or brown noise at about db dBFS.
func noise(d time.Duration, db float64, brown bool, seed uint64) []int16 {
	r := rand.New(rand.NewPCG(seed, 1))
	x := make([]float64, int(d.Seconds()*16000))
	acc := 0.0
	for i := range x {
		v := r.NormFloat64()
		if brown {
			acc = 0.995*acc + v
			v = acc
		}
		x[i] = v
	}
	sum := 0.0
	for _, v := range x {
		sum += v * v
	}
	k := math.Pow(10, db/20) * 32768 / math.Sqrt(sum/float64(len(x)))
	out := make([]int16, len(x))
	for i, v := range x {
		out[i] = int16(max(-32768, min(32767, v*k)))
	}
	return out
}

// The default detector holds in noise: with the model talking all along
// (headphones: no echo gate), steady white or brown noise never interrupts
// it, and a user speaking in that noise at 10 dB SNR does, once. The
// energy detector the package used before fails both (brown noise reads
// as speech, so the rule never re-arms; speech in white noise is missed).
func TestDefaultVADHoldsInNoise(t *testing.T) {
	hello := load(t, "hello.wav")
	speechDB := -20.0
	hello = gain(hello, speechDB-rmsDB(hello))
	for _, brown := range []bool{false, true} {
		name := map[bool]string{false: "white", true: "brown"}[brown]
		t.Run(name, func(t *testing.T) {
			n := noise(6*time.Second, speechDB-10, brown, 7)
			cfg := Config{DisableEchoGate: true}
			spk := &fakeSpeaker{out: make([]int16, len(n))}
			assert.Empty(t, run(t, n, spk, cfg), "noise alone interrupts")

			mic := mix(n, append(silence(3*time.Second), hello...))
			spk = &fakeSpeaker{out: make([]int16, len(mic))}
			at := run(t, mic, spk, cfg)
			if assert.Len(t, at, 1, "the user in noise interrupts once") {
				assert.Greater(t, at[0], 3*time.Second, "not before the user speaks")
			}
		})
	}
}

func rmsDB(s []int16) float64 {
	sum := 0.0
	for _, v := range s {
		sum += float64(v) * float64(v)
	}
	return 10 * math.Log10(sum/float64(len(s))/32768/32768)
}
