package bloscpack

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"ringvault/internal/pyfmt"
)

// Chunking is how an input of a given size is cut into chunks.
type Chunking struct {
	NChunks   int64 // number of chunks (1 for an empty input)
	ChunkSize int64 // size of every chunk but the last
	LastChunk int64 // size of the last chunk
}

// CalculateChunks is bloscpack's calculate_nchunks: an empty input is one
// empty chunk with chunk_size 0; a chunk size larger than the input shrinks
// to the input; otherwise full chunks and a shorter last one.
func CalculateChunks(size, chunkSize int64) (Chunking, error) {
	if size < 0 {
		return Chunking{}, fmt.Errorf("%w: 'in_file_size' must be strictly positive, not %d", ErrInvalidOptions, size)
	}
	if size == 0 {
		return Chunking{NChunks: 1}, nil
	}
	if chunkSize < 1 || chunkSize > MaxChunkSize {
		return Chunking{}, fmt.Errorf("%w: 'chunk_size' must be in the range 1 <= n <= %d, not '%d'", ErrInvalidOptions, MaxChunkSize, chunkSize)
	}
	if chunkSize >= size {
		return Chunking{NChunks: 1, ChunkSize: size, LastChunk: size}, nil
	}
	q, r := size/chunkSize, size%chunkSize
	if r == 0 {
		return Chunking{NChunks: q, ChunkSize: chunkSize, LastChunk: chunkSize}, nil
	}
	return Chunking{NChunks: q + 1, ChunkSize: chunkSize, LastChunk: r}, nil
}

// sizeSuffixes are bloscpack's SUFFIXES, powers of 1024.
var sizeSuffixes = []struct {
	s string
	n float64
}{{"B", 1}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}}

// ParseSize reads a chunk size as blpk's -z does: "max" (the largest Blosc1
// buffer), a number with a B/K/M/G/T suffix (float allowed: "0.5G"), or a
// plain integer (reverse_pretty, then int()). The error text is Python's.
func ParseSize(s string) (int64, error) {
	if s == "max" {
		return MaxChunkSize, nil
	}
	if s != "" {
		for _, suf := range sizeSuffixes {
			if strings.HasSuffix(s, suf.s) {
				num := strings.TrimSpace(s[:len(s)-1])
				f, err := strconv.ParseFloat(strings.ReplaceAll(num, "_", ""), 64)
				if err != nil || strings.ContainsAny(num, "xXpP") {
					return 0, fmt.Errorf("could not convert string to float: '%s'", s[:len(s)-1])
				}
				v := f * suf.n
				if math.IsInf(v, 0) || math.IsNaN(v) {
					return 0, fmt.Errorf("cannot convert float %s to integer", pyfmt.FloatRepr(v))
				}
				return int64(v), nil
			}
		}
	}
	v, err := strconv.ParseInt(strings.TrimSpace(strings.ReplaceAll(s, "_", "")), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("invalid literal for int() with base 10: '%s'", s)
	}
	return v, nil
}

// PrettySize is bloscpack's pretty_size: the largest suffix not above the
// size, the value rounded to two decimals as Python prints it ("84.75K",
// "128.0K", "0B").
func PrettySize(n int64) string {
	if n == 0 {
		return "0B"
	}
	for i := len(sizeSuffixes) - 1; i >= 0; i-- {
		if float64(n) >= sizeSuffixes[i].n {
			return pyfmt.FloatRepr(pyRound2(float64(n)/sizeSuffixes[i].n)) + sizeSuffixes[i].s
		}
	}
	return strconv.FormatInt(n, 10) // negative sizes: bloscpack returns None
}

// DoublePrettySize is double_pretty_size: "84.75K (86784B)".
func DoublePrettySize(n int64) string {
	return fmt.Sprintf("%s (%dB)", PrettySize(n), n)
}

// pyRound2 is Python's round(x, 2): correctly rounded (half to even on the
// exact decimal value of x).
func pyRound2(x float64) float64 {
	s := strconv.FormatFloat(x, 'f', 2, 64) // Go rounds the exact binary value, as CPython does
	v, _ := strconv.ParseFloat(s, 64)
	return v
}
