package pcm

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

// Mixing four samples a word and one at a time agree, at the limits and
// on loud noise that clips often, on every length's tail.
func TestMixLanesMatchTheLoop(t *testing.T) {
	edges := []int16{math.MaxInt16, math.MinInt16, math.MaxInt16, math.MinInt16, 1, -1, 0, -1, math.MaxInt16, 1}
	others := []int16{1, -1, math.MaxInt16, math.MinInt16, -1, 1, 0, -1, math.MinInt16, math.MaxInt16}
	for seed := range uint64(8) {
		a := append(AppendNoise(nil, 0.9, 997+int(seed), seed), edges...)
		b := append(AppendNoise(nil, 0.9, 997+int(seed), seed+100), others...)
		want := append([]int16(nil), a...)
		mixLoop(want, b)
		got := Mix(append([]int16(nil), a...), b)
		require.Equal(t, want, got, "seed %d", seed)
	}
}
