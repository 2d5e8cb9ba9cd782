package pcm

import (
	"math"
	"testing"
)

// Both laws round-trip speech-level samples within their quantisation step
// (about 1/16 of the magnitude), keep the sign, and map silence near zero.
func TestG711RoundTrip(t *testing.T) {
	laws := []struct {
		name string
		enc  func([]byte, []int16) []byte
		dec  func([]int16, []byte) []int16
	}{
		{"mu-law", AppendMuLaw, AppendMuLawDecoded},
		{"A-law", AppendALaw, AppendALawDecoded},
	}
	var in []int16
	for v := -32768; v <= 32767; v += 97 {
		in = append(in, int16(v))
	}
	for _, law := range laws {
		t.Run(law.name, func(t *testing.T) {
			enc := law.enc(nil, in)
			if len(enc) != len(in) {
				t.Fatalf("%d bytes for %d samples", len(enc), len(in))
			}
			out := law.dec(nil, enc)
			for i, v := range in {
				got := int(out[i])
				err := math.Abs(float64(got - int(v)))
				limit := math.Max(40, math.Abs(float64(v))/14)
				if err > limit {
					t.Fatalf("%d decodes as %d (error %.0f > %.0f)", v, got, err, limit)
				}
				if v > 200 && got <= 0 || v < -200 && got >= 0 {
					t.Fatalf("%d changes sign: %d", v, got)
				}
			}
			if z := law.dec(nil, law.enc(nil, []int16{0}))[0]; z < -16 || z > 16 {
				t.Fatalf("silence decodes as %d", z)
			}
		})
	}
}
