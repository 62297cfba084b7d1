// Package tscodec compresses blocks of (timestamp, value) samples: int64
// timestamps as delta-of-delta against the block's expected interval, and
// float64 values by finding their decimal scale (12.345 is the integer 12345
// at scale 3), then coding residuals of the scaled integers — offsets from
// the first value or from each 128-value frame's level (noise), first
// differences (random walks) or second differences (counters, smooth
// curves) — bit-packed in frames or entropy-coded (huff0, FSE or zstd,
// from klauspost/compress). Values that are not short decimals (NaN with
// any payload, ±Inf, -0, full-precision doubles) fall back to Gorilla's XOR
// encoding; constant blocks cost 8 bytes. Every float64 bit pattern
// round-trips exactly.
//
// The byte format is specified in docs/format/tscodec.md. A block is
// self-contained: AppendBlock writes one, DecodeBlock reads one.
//
// Encoder and Decoder hold scratch buffers so hot paths allocate nothing;
// the package-level AppendBlock and DecodeBlock use fresh ones.
package tscodec

import (
	"errors"
	"fmt"
)

// Wire constants. Never change them: blocks on disk depend on them.
const (
	// formatVersion is the high nibble of a block's first byte.
	formatVersion = 1

	// Timestamp kinds (bits 0-1 of the kind byte).
	timeRegular = 0 // every delta equals the interval
	timeSparse  = 1 // a list of (index gap, delta-of-delta) exceptions
	timePacked  = 2 // every delta-of-delta bit-packed in frames

	// Value kinds (bits 2-3 of the kind byte).
	valConst   = 0 // one float64, repeated
	valDecimal = 1 // scaled integers, differences bit-packed
	valZstd    = 2 // as valDecimal, the residuals entropy-coded (method byte)
	valXOR     = 3 // Gorilla XOR of the float64 bits

	// Entropy methods of the valZstd kind.
	entropyZstd  = 1 // a zstd frame
	entropyHuff0 = 2 // a huff0 1X stream with its table
	entropyFSE   = 3 // an FSE (tANS) stream with its table

	// frameLen is the number of integers per bit-packed frame.
	frameLen = 128

	// maxScale is the largest decimal scale tried (10^maxScale is exact in
	// float64 up to 10^22).
	maxScale = 15
)

// MaxSamples is the largest number of samples one block may hold; decoders
// reject larger counts before allocating.
const MaxSamples = 1 << 20

// ErrCorrupt is returned (wrapped in a *CorruptError) when a block is
// malformed: truncated, an impossible field, or trailing bytes.
var ErrCorrupt = errors.New("tscodec: corrupt block")

// ErrLength is returned by AppendBlock when the timestamp and value slices
// differ in length or hold more than MaxSamples samples.
var ErrLength = errors.New("tscodec: bad sample count")

// CorruptError says where in a block decoding failed.
type CorruptError struct {
	Offset int    // byte offset in the block
	Field  string // what was being read
	Reason string // what was wrong
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("tscodec: corrupt block at byte %d (%s): %s", e.Offset, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int, field, reason string) error {
	return &CorruptError{Offset: off, Field: field, Reason: reason}
}

// AppendBlock encodes the samples (ts[i], vs[i]) as one block appended to
// dst. Timestamps may be in any unit and any order; the encoding is best
// when they are evenly spaced.
func AppendBlock(dst []byte, ts []int64, vs []float64) ([]byte, error) {
	var e Encoder
	return e.AppendBlock(dst, ts, vs)
}

// DecodeBlock decodes one block, appending its samples to ts and vs.
func DecodeBlock(src []byte, ts []int64, vs []float64) ([]int64, []float64, error) {
	var d Decoder
	return d.DecodeBlock(src, ts, vs)
}

// Count returns the number of samples in a block without decoding it.
func Count(src []byte) (int, error) {
	r := reader{b: src}
	r.byte1("kind")
	n := r.uvarint("count")
	if r.err != nil {
		return 0, r.err
	}
	if n > MaxSamples {
		return 0, corrupt(1, "count", fmt.Sprintf("%d samples, more than %d", n, MaxSamples))
	}
	return int(n), nil
}
