// Package zenc is ringvault's Zstandard frame encoder (RFC 8878), written
// for Blosc's zstd codec (docs/format/blosc1.md): it follows the parses of
// libzstd (lib/compress/zstd_fast.c and zstd_lazy.c: fast, greedy, lazy and
// lazy2 over a hash chain, with libzstd's level table), so
// that a Blosc chunk compressed by ringvault is about the size c-blosc
// makes at the same clevel. libzstd's binary-tree levels (13 to 20; c-blosc
// clevel 7 and 8 are levels 13 and 15) are approximated by lazy2 over a
// deep hash chain; levels 21 and 22 (c-blosc's clevel 9) by a price-based
// optimal parse (opt.go).
// Literals are Huffman coded by klauspost/compress/huff0; the sequences
// section (FSE tables chosen by cost, repeat offsets) is written here.
//
// Encode writes one frame with the content size, no checksum and no
// dictionary, like ZSTD_compress. Any zstd decoder reads it.
package zenc

import (
	"encoding/binary"
	"errors"
	"math/bits"

	"github.com/klauspost/compress/huff0"

	"ringvault/internal/zstd"
)

// Encoder compresses frames. It keeps its tables between calls, so reuse
// one per goroutine (it is not safe for concurrent use). The zero value is
// ready to use.
type Encoder struct {
	m       matcher
	seqs    []seq
	lits    []byte
	llCode  []uint8
	mlCode  []uint8
	ofCode  []uint8
	ofVal   []uint32
	rep     [3]uint32 // the decoder's repeat offsets
	parseRp [2]uint32 // the match finder's repeat offsets
	tabs    [3]seqTable
	huf     huff0.Scratch
	hufOK   bool // the decoder holds the Huffman table of huf
	block   []byte
	minGain int
	opt     optState
}

// Encode appends a zstd frame holding src, compressed at level (1..22,
// libzstd's levels; others are clamped), to dst and returns it.
func (e *Encoder) Encode(dst, src []byte, level int) []byte {
	p := levelParams(level, len(src))
	dst = appendFrameHeader(dst, len(src), p.windowLog)
	if len(src) == 0 {
		return append(dst, 1, 0, 0) // an empty last raw block
	}
	e.m.reset(p, src)
	e.rep = [3]uint32{1, 4, 8}
	e.parseRp = [2]uint32{1, 4}
	for i := range e.tabs {
		e.tabs[i].canRep = false
	}
	e.hufOK = false
	e.minGain = 6
	for start := 0; start < len(src); start += zstd.MaxBlockSize {
		end := min(start+zstd.MaxBlockSize, len(src))
		dst = e.encodeBlock(dst, src, start, end, end == len(src))
	}
	e.m.finish(len(src))
	return dst
}

// appendFrameHeader writes the magic number and a frame header with the
// content size, single-segment when the source fits the window.
func appendFrameHeader(dst []byte, n int, windowLog uint8) []byte {
	dst = binary.LittleEndian.AppendUint32(dst, zstd.Magic)
	single := n <= 1<<windowLog
	var fcsCode byte
	switch {
	case n >= 1<<32-1:
		fcsCode = 3
	case n >= 65536+256:
		fcsCode = 2
	case n >= 256:
		fcsCode = 1
	}
	fhd := fcsCode << 6
	if single {
		fhd |= 1 << 5
	}
	dst = append(dst, fhd)
	if !single {
		dst = append(dst, (windowLog-zstd.MinWindowLog)<<3)
	}
	switch fcsCode {
	case 0:
		dst = append(dst, byte(n))
	case 1:
		dst = binary.LittleEndian.AppendUint16(dst, uint16(n-256))
	case 2:
		dst = binary.LittleEndian.AppendUint32(dst, uint32(n))
	default:
		dst = binary.LittleEndian.AppendUint64(dst, uint64(n))
	}
	return dst
}

func appendBlockHeader(dst []byte, last bool, typ, size int) []byte {
	h := uint32(size)<<3 | uint32(typ)<<1
	if last {
		h |= 1
	}
	return append(dst, byte(h), byte(h>>8), byte(h>>16))
}

// encodeBlock appends src[start:end] as one block: RLE when it is one
// repeated byte, compressed when that saves more than minGain, else raw.
func (e *Encoder) encodeBlock(dst, src []byte, start, end int, last bool) []byte {
	b := src[start:end]
	if isRLE(b) {
		e.m.skipTo(src, end)
		dst = appendBlockHeader(dst, last, zstd.BlockRLE, len(b))
		return append(dst, b[0])
	}
	rep, parseRp := e.rep, e.parseRp
	e.seqs, e.lits = e.seqs[:0], e.lits[:0]
	if end-start > 8 {
		switch e.m.strategy {
		case fast:
			e.seqs, e.lits = e.m.parseFast(src, start, end, &e.parseRp, e.seqs, e.lits)
		case optimal:
			e.seqs, e.lits = e.parseOpt(src, start, end, e.rep, e.seqs, e.lits)
		default:
			e.seqs, e.lits = e.m.parse(src, start, end, &e.parseRp, e.seqs, e.lits)
		}
	} else {
		e.lits = append(e.lits, b...)
	}
	e.block = e.compressBlock(e.block[:0])
	if len(e.block) < len(b)-(len(b)>>e.minGain)-2 {
		dst = appendBlockHeader(dst, last, zstd.BlockCompressed, len(e.block))
		return append(dst, e.block...)
	}
	// The decoder will not see this block's tables or offsets.
	e.rep, e.parseRp = rep, parseRp
	for i := range e.tabs {
		e.tabs[i].canRep = false
	}
	e.hufOK = false
	dst = appendBlockHeader(dst, last, zstd.BlockRaw, len(b))
	return append(dst, b...)
}

func isRLE(b []byte) bool {
	if len(b) < 2 {
		return false
	}
	c := b[0]
	for _, x := range b[1:] {
		if x != c {
			return false
		}
	}
	return true
}

// compressBlock appends the literals and sequences sections of the parsed
// block.
func (e *Encoder) compressBlock(dst []byte) []byte {
	dst = e.encodeLiterals(dst)
	e.codeSequences()
	return e.encodeSequences(dst)
}

// errNoGain is huff0's verdict that Huffman coding does not pay.
var errNoGain = errors.New("zenc: literals do not compress")

// encodeLiterals appends the literals section: Huffman-coded (with a new
// table or the previous one) when that is smaller, else RLE or raw.
func (e *Encoder) encodeLiterals(dst []byte) []byte {
	lits := e.lits
	n := len(lits)
	var out []byte
	reused, single := false, n < 1024
	err := errNoGain
	if n > 16 {
		e.huf.Reuse = huff0.ReusePolicyNone
		if e.hufOK {
			e.huf.Reuse = huff0.ReusePolicyAllow
		}
		e.huf.WantLogLess = 4
		if single {
			out, reused, err = huff0.Compress1X(lits, &e.huf)
		} else {
			out, reused, err = huff0.Compress4X(lits, &e.huf)
		}
		if err == nil && !reused {
			// huff0 now holds the new table as its previous one; the
			// decoder will too once this block is written.
			e.hufOK = true
		}
	} else if isRLE(lits) {
		err = huff0.ErrUseRLE
	}
	switch {
	case err == huff0.ErrUseRLE:
		dst = appendRawLitHeader(dst, zstd.LitRLE, n)
		return append(dst, lits[0])
	case err != nil || len(out)+5 >= n:
		if err == nil && !reused {
			e.hufOK = false // the new table was not sent
		}
		dst = appendRawLitHeader(dst, zstd.LitRaw, n)
		return append(dst, lits...)
	}
	typ := uint32(zstd.LitCompressed)
	if reused {
		typ = zstd.LitTreeless
	}
	c := uint32(len(out))
	r := uint32(n)
	switch {
	case single:
		h := typ | r<<4 | c<<14
		dst = append(dst, byte(h), byte(h>>8), byte(h>>16))
	case r < 1024 && c < 1024:
		h := typ | 1<<2 | r<<4 | c<<14
		dst = append(dst, byte(h), byte(h>>8), byte(h>>16))
	case r < 16384 && c < 16384:
		h := typ | 2<<2 | r<<4 | c<<18
		dst = binary.LittleEndian.AppendUint32(dst, h)
	default:
		h := uint64(typ) | 3<<2 | uint64(r)<<4 | uint64(c)<<22
		dst = append(dst, byte(h), byte(h>>8), byte(h>>16), byte(h>>24), byte(h>>32))
	}
	return append(dst, out...)
}

func appendRawLitHeader(dst []byte, typ, n int) []byte {
	switch {
	case n < 32:
		return append(dst, byte(typ|n<<3))
	case n < 4096:
		h := typ | 1<<2 | n<<4
		return append(dst, byte(h), byte(h>>8))
	}
	h := typ | 3<<2 | n<<4
	return append(dst, byte(h), byte(h>>8), byte(h>>16))
}

func bitLen(v uint32) int { return bits.Len32(v) }
