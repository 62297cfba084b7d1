// Package zstd holds what ringvault's Zstandard decoder (zstd/zdec) and
// encoder (zstd/zenc) share: the constants and code tables of RFC 8878.
// Both are hand-written because Blosc's zstd streams are its hot path:
// klauspost/compress decodes long short-offset matches byte by byte and has
// no encoder near libzstd's lazy2 level 9 (c-blosc's clevel 5), see
// docs/features/blosc.md. Neither replaces klauspost/compress in general:
// frames with dictionaries or other rare features go to it.
package zstd

import "math/bits"

// Magic is the little-endian frame magic number, 0xFD2FB528.
const Magic = 0xFD2FB528

// Limits of the format (RFC 8878 §3.1.1.2 and §3.1.1.3).
const (
	MaxBlockSize = 128 << 10 // Block_Maximum_Size
	MinWindowLog = 10
	MaxWindowLog = 31 // on 64-bit decoders

	MaxLLCode = 35
	MaxMLCode = 52
	MaxOFCode = 31

	MaxLLLog = 9 // maximum accuracy log of a literal-length table
	MaxMLLog = 9
	MaxOFLog = 8

	MinMatch = 3 // the shortest match a sequence can describe
)

// Block types (RFC 8878 §3.1.1.2.2).
const (
	BlockRaw        = 0
	BlockRLE        = 1
	BlockCompressed = 2
	BlockReserved   = 3
)

// Literals block types (§3.1.1.3.1.1).
const (
	LitRaw        = 0
	LitRLE        = 1
	LitCompressed = 2
	LitTreeless   = 3
)

// Symbol compression modes of the sequences section (§3.1.1.3.2.1).
const (
	ModePredefined = 0
	ModeRLE        = 1
	ModeFSE        = 2
	ModeRepeat     = 3
)

// LLBase and LLBits are the baseline and the number of extra bits of each
// literal-length code (§3.1.1.3.2.1.1).
var (
	LLBase = [MaxLLCode + 1]uint32{
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
		16, 18, 20, 22, 24, 28, 32, 40, 48, 64, 128, 256, 512, 1024, 2048, 4096,
		8192, 16384, 32768, 65536,
	}
	LLBits = [MaxLLCode + 1]uint8{
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 1, 1, 1, 2, 2, 3, 3, 4, 6, 7, 8, 9, 10, 11, 12,
		13, 14, 15, 16,
	}
)

// MLBase and MLBits are the baseline and the number of extra bits of each
// match-length code (§3.1.1.3.2.1.1).
var (
	MLBase = [MaxMLCode + 1]uint32{
		3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
		19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34,
		35, 37, 39, 41, 43, 47, 51, 59, 67, 83, 99, 131, 259, 515, 1027, 2051,
		4099, 8195, 16387, 32771, 65539,
	}
	MLBits = [MaxMLCode + 1]uint8{
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		1, 1, 1, 1, 2, 2, 3, 3, 4, 4, 5, 7, 8, 9, 10, 11,
		12, 13, 14, 15, 16,
	}
)

// Predefined (default) normalized distributions and their accuracy logs
// (§3.1.1.3.2.2). -1 is a "less than 1" probability.
var (
	LLDefaultNorm = [MaxLLCode + 1]int16{
		4, 3, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1,
		2, 2, 2, 2, 2, 2, 2, 2, 2, 3, 2, 1, 1, 1, 1, 1,
		-1, -1, -1, -1,
	}
	MLDefaultNorm = [MaxMLCode + 1]int16{
		1, 4, 3, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, -1, -1,
		-1, -1, -1, -1, -1,
	}
	OFDefaultNorm = [29]int16{
		1, 1, 1, 1, 1, 1, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1,
		1, 1, 1, 1, 1, 1, 1, 1, -1, -1, -1, -1, -1,
	}
)

// Accuracy logs of the predefined distributions.
const (
	LLDefaultLog = 6
	MLDefaultLog = 6
	OFDefaultLog = 5
)

// LLCode returns the literal-length code of a literal run of n bytes.
func LLCode(n uint32) uint8 {
	if n < 64 {
		return llCodeSmall[n]
	}
	return uint8(highBit(n)) + 19
}

// MLCode returns the match-length code of a match of n >= MinMatch bytes.
func MLCode(n uint32) uint8 {
	v := n - MinMatch
	if v < 128 {
		return mlCodeSmall[v]
	}
	return uint8(highBit(v)) + 36
}

// OFCode returns the offset code of an Offset_Value (offset + 3, or 1..3
// for a repeat offset): the position of its highest set bit.
func OFCode(ofValue uint32) uint8 { return uint8(highBit(ofValue)) }

func highBit(v uint32) int { return bits.Len32(v) - 1 }

var llCodeSmall, mlCodeSmall = func() (ll [64]uint8, ml [128]uint8) {
	for c := MaxLLCode; c >= 0; c-- {
		for n := LLBase[c]; n < LLBase[c]+1<<LLBits[c] && n < 64; n++ {
			ll[n] = uint8(c)
		}
	}
	for c := MaxMLCode; c >= 0; c-- {
		for n := MLBase[c]; n < MLBase[c]+1<<MLBits[c] && n-MinMatch < 128; n++ {
			ml[n-MinMatch] = uint8(c)
		}
	}
	return
}()
