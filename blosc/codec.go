package blosc

import (
	"fmt"
	"runtime"
	"strings"
)

// Codec is a compressor, numbered as c-blosc's API compcodes
// (BLOSC_BLOSCLZ ... BLOSC_ZSTD). The number stored in a chunk's flags is
// the codec *format* code, which differs: LZ4 and LZ4HC share format 1.
type Codec uint8

// The codecs of c-blosc 1.x, numbered as its compcodes.
const (
	BloscLZ Codec = 0 // BLOSC_BLOSCLZ, written in this package
	LZ4     Codec = 1 // BLOSC_LZ4, LZ4 block format
	LZ4HC   Codec = 2 // BLOSC_LZ4HC, LZ4 block format, high compression
	Snappy  Codec = 3 // BLOSC_SNAPPY, raw snappy block
	Zlib    Codec = 4 // BLOSC_ZLIB, zlib (RFC 1950) stream
	Zstd    Codec = 5 // BLOSC_ZSTD, one zstd frame per stream
)

// Codecs lists every codec in compcode order (blosc.compressor_list()).
var Codecs = []Codec{BloscLZ, LZ4, LZ4HC, Snappy, Zlib, Zstd}

var codecNames = [...]string{"blosclz", "lz4", "lz4hc", "snappy", "zlib", "zstd"}

// String returns c-blosc's compressor name (blosc_compcode_to_compname).
func (c Codec) String() string {
	if int(c) < len(codecNames) {
		return codecNames[c]
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// ParseCodec maps a compressor name ("blosclz", "lz4", "lz4hc", "snappy",
// "zlib", "zstd", case-insensitive) to its Codec (blosc_compname_to_compcode).
func ParseCodec(name string) (Codec, error) {
	for i, n := range codecNames {
		if strings.EqualFold(name, n) {
			return Codec(i), nil
		}
	}
	return 0, fmt.Errorf("%w: unknown codec %q (want one of %s)", ErrInvalidOptions, name, strings.Join(codecNames[:], ", "))
}

// format is the codec format code stored in flags bits 5..7.
func (c Codec) format() uint8 {
	switch c {
	case BloscLZ:
		return 0
	case LZ4, LZ4HC:
		return 1
	case Snappy:
		return 2
	case Zlib:
		return 3
	}
	return 4 // Zstd
}

// hcr reports the "high compression ratio" codecs for which c-blosc picks
// larger blocks (HCR in compute_blocksize).
func (c Codec) hcr() bool { return c == LZ4HC || c == Zlib || c == Zstd }

// Shuffle is the pre-compression filter: c-blosc's doshuffle argument.
type Shuffle uint8

// The shuffle filters of Blosc1.
const (
	NoShuffle   Shuffle = 0 // BLOSC_NOSHUFFLE
	ByteShuffle Shuffle = 1 // BLOSC_SHUFFLE: byte k of every element together
	BitShuffle  Shuffle = 2 // BLOSC_BITSHUFFLE: bit k of every element together
)

// String returns "noshuffle", "shuffle" or "bitshuffle".
func (s Shuffle) String() string {
	switch s {
	case NoShuffle:
		return "noshuffle"
	case ByteShuffle:
		return "shuffle"
	case BitShuffle:
		return "bitshuffle"
	}
	return fmt.Sprintf("shuffle(%d)", uint8(s))
}

// Options are the arguments of blosc_compress. A nil *Options means
// DefaultOptions.
type Options struct {
	Typesize  int     // element size in bytes, 1..255; larger values are stored as 1, like c-blosc
	Clevel    int     // 0 (store) .. 9 (best)
	Shuffle   Shuffle // filter applied to each block
	Codec     Codec   // compressor
	Blocksize int     // 0 = c-blosc's heuristic (compute_blocksize); otherwise forced, clamped to >= 128
	NThreads  int     // goroutines per chunk; 0 = GOMAXPROCS
}

// DefaultOptions are Bloscpack's defaults (bloscpack/defaults.py and the
// blpk CLI): typesize 8, clevel 7, byte shuffle, blosclz, heuristic block
// size, all cores.
var DefaultOptions = Options{Typesize: 8, Clevel: 7, Shuffle: ByteShuffle, Codec: BloscLZ}

func (o *Options) validate() error {
	switch {
	case o.Typesize < 1:
		return fmt.Errorf("%w: typesize %d, want >= 1", ErrInvalidOptions, o.Typesize)
	case o.Clevel < 0 || o.Clevel > 9:
		return fmt.Errorf("%w: clevel %d, want 0..9", ErrInvalidOptions, o.Clevel)
	case o.Shuffle > BitShuffle:
		return fmt.Errorf("%w: shuffle %d, want 0 (none), 1 (byte) or 2 (bit)", ErrInvalidOptions, o.Shuffle)
	case int(o.Codec) >= len(codecNames):
		return fmt.Errorf("%w: codec %d, want 0..5", ErrInvalidOptions, o.Codec)
	case o.Blocksize < 0:
		return fmt.Errorf("%w: blocksize %d, want >= 0", ErrInvalidOptions, o.Blocksize)
	case o.NThreads < 0:
		return fmt.Errorf("%w: nthreads %d, want >= 0", ErrInvalidOptions, o.NThreads)
	}
	return nil
}

func threads(n int) int {
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	return min(n, MaxThreads)
}
