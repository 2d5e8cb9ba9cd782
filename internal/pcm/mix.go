package pcm

import (
	"encoding/binary"
	"math"
)

// Mix adds src into dst sample by sample, clipping, over the shorter of the
// two lengths, and returns dst.
func Mix(dst, src []int16) []int16 {
	n := min(len(dst), len(src))
	done := 0
	if littleEndian {
		done = mixLanes(int16Bytes(dst[:n]), int16Bytes(src[:n]))
	}
	mixLoop(dst[done:n], src[done:n])
	return dst
}

func mixLoop(dst, src []int16) {
	src = src[:len(dst)]
	for i, s := range src {
		v := int32(dst[i]) + int32(s)
		dst[i] = int16(max(math.MinInt16, min(math.MaxInt16, v)))
	}
}

// lanesHigh is the sign bit of each of the four 16-bit lanes of a uint64.
const lanesHigh = 0x8000_8000_8000_8000

// mixLanes is Mix four samples at a time, as the 16-bit lanes of a uint64,
// over the whole words of dst and src (of the same length, little-endian
// int16s); it returns how many samples it mixed.
//
// Each lane adds without carrying into the next (the low 15 bits add, then
// the sign bit is the xor of the two signs and that carry); a lane
// overflowed when both signs agree and the sum's differs, and then takes
// the limit of the sign it had: 0x7fff for positive, 0x8000 for negative.
func mixLanes(dst, src []byte) int {
	i := 0
	for ; i+8 <= len(dst) && i+8 <= len(src); i += 8 {
		a := binary.LittleEndian.Uint64(dst[i:])
		b := binary.LittleEndian.Uint64(src[i:])
		sum := (a&^lanesHigh + b&^lanesHigh) ^ (a^b)&lanesHigh
		overflowed := ((^(a ^ b) & (a ^ sum) & lanesHigh) >> 15) * 0xffff
		limit := 0x7fff_7fff_7fff_7fff + (a&lanesHigh)>>15
		binary.LittleEndian.PutUint64(dst[i:], sum&^overflowed|limit&overflowed)
	}
	return i / 2
}
