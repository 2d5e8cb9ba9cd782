package pcm

import (
	"errors"
	"fmt"
)

// ErrChannels is returned for a channel count below 1, or for interleaved
// data whose length is not a multiple of the channel count.
var ErrChannels = errors.New("pcm: bad channel count")

func checkFrames(n, channels int) error {
	if channels < 1 {
		return fmt.Errorf("%w: %d", ErrChannels, channels)
	}
	if n%channels != 0 {
		return fmt.Errorf("%w: %d samples is not a whole number of %d-channel frames", ErrChannels, n, channels)
	}
	return nil
}

// Downmix appends the mono mix of src, interleaved audio with the given
// number of channels, to dst: each output sample is the rounded mean of one
// frame's channels. With one channel it copies src. It returns dst unchanged
// and an error wrapping ErrChannels when channels < 1 or len(src) is not a
// multiple of channels.
func Downmix(dst, src []int16, channels int) ([]int16, error) {
	if err := checkFrames(len(src), channels); err != nil {
		return dst, err
	}
	if channels == 1 {
		return append(dst, src...), nil
	}
	n := len(src) / channels
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	if channels == 2 {
		for i := range out {
			out[i] = int16(roundDiv(int32(src[2*i])+int32(src[2*i+1]), 2))
		}
		return dst[:len(dst)+n], nil
	}
	for i := range out {
		var sum int32
		for _, s := range src[i*channels : (i+1)*channels] {
			sum += int32(s)
		}
		out[i] = int16(roundDiv(sum, int32(channels)))
	}
	return dst[:len(dst)+n], nil
}

// roundDiv divides rounding half away from zero; the result of a mean of
// int16 values always fits in int16.
func roundDiv(sum, n int32) int32 {
	if sum >= 0 {
		return (sum + n/2) / n
	}
	return (sum - n/2) / n
}

// DownmixFloat32 is Downmix for float32 samples: each output sample is the
// mean of one frame's channels.
func DownmixFloat32(dst, src []float32, channels int) ([]float32, error) {
	if err := checkFrames(len(src), channels); err != nil {
		return dst, err
	}
	if channels == 1 {
		return append(dst, src...), nil
	}
	n := len(src) / channels
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	inv := 1 / float32(channels)
	for i := range out {
		var sum float32
		for _, s := range src[i*channels : (i+1)*channels] {
			sum += s
		}
		out[i] = sum * inv
	}
	return dst[:len(dst)+n], nil
}
