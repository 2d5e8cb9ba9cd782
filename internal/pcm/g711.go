package pcm

// G.711 (ITU-T) μ-law and A-law, the 8 kHz companded formats of phone
// lines: one byte per sample. The encoders take 16-bit linear samples and the
// decoders give them back (the 13- and 14-bit codes scaled to 16 bits).

// AppendMuLaw appends the μ-law encoding of src to dst.
func AppendMuLaw(dst []byte, src []int16) []byte {
	for _, s := range src {
		dst = append(dst, muLawEncode(s))
	}
	return dst
}

// AppendALaw appends the A-law encoding of src to dst.
func AppendALaw(dst []byte, src []int16) []byte {
	for _, s := range src {
		dst = append(dst, aLawEncode(s))
	}
	return dst
}

// AppendMuLawDecoded appends the 16-bit samples of μ-law src to dst.
func AppendMuLawDecoded(dst []int16, src []byte) []int16 {
	for _, b := range src {
		dst = append(dst, muLawTable[b])
	}
	return dst
}

// AppendALawDecoded appends the 16-bit samples of A-law src to dst.
func AppendALawDecoded(dst []int16, src []byte) []int16 {
	for _, b := range src {
		dst = append(dst, aLawTable[b])
	}
	return dst
}

var muLawTable, aLawTable [256]int16

func init() {
	for i := range 256 {
		muLawTable[i] = muLawDecode(byte(i))
		aLawTable[i] = aLawDecode(byte(i))
	}
}

const (
	muBias = 0x84
	muClip = 32635
)

func muLawEncode(s int16) byte {
	v := int(s)
	sign := 0
	if v < 0 {
		v, sign = -v, 0x80
	}
	if v > muClip {
		v = muClip
	}
	v += muBias
	exp := 7
	for mask := 0x4000; v&mask == 0 && exp > 0; mask >>= 1 {
		exp--
	}
	mant := (v >> (exp + 3)) & 0x0F
	return ^byte(sign | exp<<4 | mant)
}

func muLawDecode(b byte) int16 {
	b = ^b
	sign := b & 0x80
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0F)
	v := ((mant << 3) + muBias) << exp
	v -= muBias
	if sign != 0 {
		v = -v
	}
	return int16(v)
}

func aLawEncode(s int16) byte {
	v := int(s) >> 3 // 13-bit
	sign := 0x80
	if v < 0 {
		v, sign = -v-1, 0
	}
	if v > 0x0FFF {
		v = 0x0FFF
	}
	var out int
	if v < 32 {
		out = v >> 1
	} else {
		exp := 1
		for t := v >> 5; t > 1; t >>= 1 {
			exp++
		}
		out = exp<<4 | (v>>exp)&0x0F
	}
	return byte(out|sign) ^ 0x55
}

func aLawDecode(b byte) int16 {
	b ^= 0x55
	sign := b & 0x80
	exp := int(b>>4) & 0x07
	mant := int(b & 0x0F)
	var v int
	if exp == 0 {
		v = mant<<1 | 1
	} else {
		v = (mant<<1 | 0x21) << (exp - 1)
	}
	v <<= 3
	if sign == 0 {
		v = -v
	}
	return int16(v)
}
