package pcm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unsafe"
)

// ErrOddLength is returned when a byte slice of 16-bit PCM has an odd number
// of bytes, so it cannot hold whole samples.
var ErrOddLength = errors.New("pcm: odd number of bytes in 16-bit PCM")

func checkEven(n int) error {
	if n%2 != 0 {
		return fmt.Errorf("%w (%d bytes)", ErrOddLength, n)
	}
	return nil
}

// grow returns s with room for n more elements, without changing len(s).
func grow[T any](s []T, n int) []T {
	if cap(s)-len(s) >= n {
		return s
	}
	g := make([]T, len(s), len(s)+n+len(s)/4)
	copy(g, s)
	return g
}

// DecodeInt16 appends the samples of src, 16-bit little-endian PCM, to dst.
// An odd len(src) returns dst unchanged and an error wrapping ErrOddLength.
func DecodeInt16(dst []int16, src []byte) ([]int16, error) {
	if err := checkEven(len(src)); err != nil {
		return dst, err
	}
	n := len(src) / 2
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	if littleEndian {
		copy(int16Bytes(out), src)
	} else {
		decodeInt16Loop(out, src)
	}
	return dst[:len(dst)+n], nil
}

func decodeInt16Loop(out []int16, src []byte) {
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

// EncodeInt16 appends src as 16-bit little-endian PCM to dst.
func EncodeInt16(dst []byte, src []int16) []byte {
	n := 2 * len(src)
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	if littleEndian {
		copy(out, int16Bytes(src))
	} else {
		encodeInt16Loop(out, src)
	}
	return dst[:len(dst)+n]
}

func encodeInt16Loop(out []byte, src []int16) {
	for i, s := range src {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(s))
	}
}

// littleEndian is whether this machine lays out an int16 as 16-bit
// little-endian PCM does, so that converting between them is a copy.
var littleEndian = binary.NativeEndian.Uint16([]byte{1, 0}) == 1

// int16Bytes is the memory of x as bytes (viewing int16s as bytes is
// always aligned; the reverse may not be).
func int16Bytes(x []int16) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 2*len(x))
}

// DecodeFloat32 appends the samples of src, 16-bit little-endian PCM, to dst
// as float32 in [-1, 1). An odd len(src) returns dst unchanged and an error
// wrapping ErrOddLength.
func DecodeFloat32(dst []float32, src []byte) ([]float32, error) {
	if err := checkEven(len(src)); err != nil {
		return dst, err
	}
	n := len(src) / 2
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(src[2*i:]))) * (1.0 / 32768)
	}
	return dst[:len(dst)+n], nil
}

// EncodeFloat32 appends src as 16-bit little-endian PCM to dst, rounding to
// the nearest integer and clipping to [-1, 1]. NaN encodes as 0.
func EncodeFloat32(dst []byte, src []float32) []byte {
	n := 2 * len(src)
	dst = grow(dst, n)
	out := dst[len(dst) : len(dst)+n]
	for i, f := range src {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(FloatToInt16(f)))
	}
	return dst[:len(dst)+n]
}

// Int16ToFloat32 appends src to dst as float32 in [-1, 1).
func Int16ToFloat32(dst []float32, src []int16) []float32 {
	dst = grow(dst, len(src))
	out := dst[len(dst) : len(dst)+len(src)]
	for i, s := range src {
		out[i] = float32(s) * (1.0 / 32768)
	}
	return dst[:len(dst)+len(src)]
}

// Float32ToInt16 appends src to dst as int16, rounding to the nearest integer
// and clipping to [-1, 1]. NaN converts to 0.
func Float32ToInt16(dst []int16, src []float32) []int16 {
	dst = grow(dst, len(src))
	out := dst[len(dst) : len(dst)+len(src)]
	for i, f := range src {
		out[i] = FloatToInt16(f)
	}
	return dst[:len(dst)+len(src)]
}

// FloatToInt16 converts one full-scale sample (±1.0) to int16, rounding to
// the nearest integer and clipping. NaN converts to 0.
func FloatToInt16(f float32) int16 {
	v := f * 32768
	switch {
	case v >= 32767:
		return math.MaxInt16
	case v <= -32768:
		return math.MinInt16
	case v >= 0:
		return int16(v + 0.5)
	case v < 0:
		return int16(v - 0.5)
	default: // NaN
		return 0
	}
}
