// Package zdec is a Zstandard decoder (RFC 8878,
// https://www.rfc-editor.org/rfc/rfc8878) tuned for the frames Blosc
// writes: one frame per block, decoded into a caller's buffer of the exact
// expected size. It decodes sequences and executes them in one pass, copies
// matches with wide overlapping moves and spreads short-offset patterns by
// doubling, which is where klauspost/compress goes byte by byte.
//
// It supports every frame feature except dictionaries; those, and frames
// whose content does not fit the buffer's shape, are reported as
// ErrUnsupported so a caller can fall back to a general decoder. Malformed
// input gives an error naming the field and offset, never a panic, and the
// decoder never writes outside dst nor allocates in proportion to sizes
// declared by the input.
package zdec

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cespare/xxhash/v2"
	"github.com/klauspost/compress/huff0"

	"ringvault/internal/zstd"
)

// ErrUnsupported reports a valid-looking frame that uses a feature this
// decoder leaves to others (a dictionary).
var ErrUnsupported = errors.New("zdec: unsupported zstd feature")

// ErrCorrupt is wrapped by every error about malformed input.
var ErrCorrupt = errors.New("zdec: corrupt zstd stream")

// ErrSize reports frames that decode to more or fewer bytes than dst holds.
var ErrSize = errors.New("zdec: decoded size does not match the buffer")

// CorruptError locates a malformed field.
type CorruptError struct {
	Offset int    // byte offset in the source
	Field  string // what was being read
	Msg    string
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("zdec: %s at offset %d: %s", e.Field, e.Offset, e.Msg)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int, field, format string, args ...any) error {
	return &CorruptError{Offset: off, Field: field, Msg: fmt.Sprintf(format, args...)}
}

const (
	skippableMagic = 0x184D2A50 // low 4 bits vary
	litSlack       = 32         // readable bytes past the literals for wide copies
)

// Decoder decodes zstd frames. It is reusable and keeps its tables between
// calls but is not safe for concurrent use.
type Decoder struct {
	lits []byte // decoded literals, zstd.MaxBlockSize + litSlack
	huff *huff0.Scratch
	hdec *huff0.Decoder // the last Huffman table, for treeless literals
	tab  seqTables      // the sequence tables in use
	logs [3]uint8       // their accuracy logs
	have [3]uint8       // tabNone, tabDefault or tabCustom
	norm [zstd.MaxMLCode + 1]int16
	rep  [3]int
	seqs seqState
}

// New returns a Decoder.
func New() *Decoder {
	return &Decoder{lits: make([]byte, zstd.MaxBlockSize+litSlack)}
}

// frame is what a frame header declares.
type frame struct {
	windowSize   uint64
	contentSize  uint64
	hasSize      bool
	checksum     bool
	headerLength int
}

// DecodeInto decodes the zstd frames in src (skippable frames are skipped)
// into dst, which must be exactly as long as their content, and returns
// the number of bytes written, len(dst) on success.
func (d *Decoder) DecodeInto(dst, src []byte) (int, error) {
	if d.lits == nil {
		d.lits = make([]byte, zstd.MaxBlockSize+litSlack)
	}
	op, pos := 0, 0
	for pos < len(src) {
		if len(src)-pos < 4 {
			return op, corrupt(pos, "magic number", "%d bytes left, need 4", len(src)-pos)
		}
		magic := binary.LittleEndian.Uint32(src[pos:])
		if magic&^15 == skippableMagic {
			if len(src)-pos < 8 {
				return op, corrupt(pos+4, "skippable frame size", "truncated")
			}
			n := uint64(binary.LittleEndian.Uint32(src[pos+4:]))
			if n > uint64(len(src)-pos-8) {
				return op, corrupt(pos+4, "skippable frame size", "%d bytes declared, %d left", n, len(src)-pos-8)
			}
			pos += 8 + int(n)
			continue
		}
		if magic != zstd.Magic {
			return op, corrupt(pos, "magic number", "%#08x is not a zstd frame", magic)
		}
		n, used, err := d.decodeFrame(dst[op:], src[pos:], pos)
		op += n
		if err != nil {
			return op, err
		}
		pos += used
	}
	if op != len(dst) {
		return op, fmt.Errorf("%w: %d bytes decoded into a buffer of %d", ErrSize, op, len(dst))
	}
	return op, nil
}

// readFrameHeader parses the frame header after the magic number.
func readFrameHeader(src []byte, base int) (frame, error) {
	var f frame
	if len(src) < 5 {
		return f, corrupt(base+4, "frame header descriptor", "truncated")
	}
	fhd := src[4]
	if fhd&8 != 0 {
		return f, corrupt(base+4, "frame header descriptor", "reserved bit set")
	}
	single := fhd&0x20 != 0
	f.checksum = fhd&4 != 0
	dictLen := [4]int{0, 1, 2, 4}[fhd&3]
	fcsCode := fhd >> 6
	fcsLen := [4]int{0, 2, 4, 8}[fcsCode]
	if fcsCode == 0 && single {
		fcsLen = 1
	}
	p := 5
	need := p + dictLen + fcsLen
	if !single {
		need++
	}
	if len(src) < need {
		return f, corrupt(base+p, "frame header", "truncated: %d bytes, need %d", len(src), need)
	}
	if !single {
		wd := src[p]
		exp := uint(wd >> 3)
		winLog := zstd.MinWindowLog + exp
		if winLog > zstd.MaxWindowLog {
			return f, corrupt(base+p, "window descriptor", "window log %d exceeds %d", winLog, zstd.MaxWindowLog)
		}
		wb := uint64(1) << winLog
		f.windowSize = wb + wb/8*uint64(wd&7)
		p++
	}
	var dictID uint32
	switch dictLen {
	case 1:
		dictID = uint32(src[p])
	case 2:
		dictID = uint32(binary.LittleEndian.Uint16(src[p:]))
	case 4:
		dictID = binary.LittleEndian.Uint32(src[p:])
	}
	p += dictLen
	if dictID != 0 {
		return f, fmt.Errorf("%w: dictionary %d (frame at offset %d)", ErrUnsupported, dictID, base)
	}
	f.hasSize = fcsLen > 0
	switch fcsLen {
	case 1:
		f.contentSize = uint64(src[p])
	case 2:
		f.contentSize = uint64(binary.LittleEndian.Uint16(src[p:])) + 256
	case 4:
		f.contentSize = uint64(binary.LittleEndian.Uint32(src[p:]))
	case 8:
		f.contentSize = binary.LittleEndian.Uint64(src[p:])
	}
	p += fcsLen
	if single {
		f.windowSize = f.contentSize
	}
	f.headerLength = p
	return f, nil
}

// decodeFrame decodes the frame at the start of src into dst and returns
// the bytes written and the bytes of src used; base is src's offset in the
// caller's input, for errors.
func (d *Decoder) decodeFrame(dst, src []byte, base int) (int, int, error) {
	f, err := readFrameHeader(src, base)
	if err != nil {
		return 0, 0, err
	}
	if f.hasSize && f.contentSize > uint64(len(dst)) {
		return 0, 0, fmt.Errorf("%w: frame at offset %d declares %d bytes, %d left in the buffer", ErrSize, base, f.contentSize, len(dst))
	}
	blockMax := zstd.MaxBlockSize
	if f.windowSize < uint64(blockMax) {
		blockMax = int(f.windowSize)
	}
	window := len(dst) // offsets can reach at most the frame's start
	if f.windowSize < uint64(window) {
		window = int(f.windowSize)
	}
	d.rep = [3]int{1, 4, 8}
	d.have = [3]uint8{}
	d.hdec = nil
	pos, op := f.headerLength, 0
	for {
		if len(src)-pos < 3 {
			return op, pos, corrupt(base+pos, "block header", "truncated")
		}
		bh := uint32(src[pos]) | uint32(src[pos+1])<<8 | uint32(src[pos+2])<<16
		pos += 3
		last := bh&1 != 0
		size := int(bh >> 3)
		switch (bh >> 1) & 3 {
		case zstd.BlockRaw:
			if size > blockMax {
				return op, pos, corrupt(base+pos-3, "block size", "raw block of %d bytes exceeds the maximum %d", size, blockMax)
			}
			if size > len(src)-pos {
				return op, pos, corrupt(base+pos-3, "block size", "raw block of %d bytes, %d left", size, len(src)-pos)
			}
			if size > len(dst)-op {
				return op, pos, fmt.Errorf("%w: frame at offset %d overruns the buffer", ErrSize, base)
			}
			copy(dst[op:op+size], src[pos:pos+size])
			op += size
			pos += size
		case zstd.BlockRLE:
			if size > blockMax {
				return op, pos, corrupt(base+pos-3, "block size", "RLE block of %d bytes exceeds the maximum %d", size, blockMax)
			}
			if pos >= len(src) {
				return op, pos, corrupt(base+pos, "RLE block", "truncated")
			}
			if size > len(dst)-op {
				return op, pos, fmt.Errorf("%w: frame at offset %d overruns the buffer", ErrSize, base)
			}
			fill(dst[op:op+size], src[pos])
			op += size
			pos++
		case zstd.BlockCompressed:
			if size > blockMax {
				return op, pos, corrupt(base+pos-3, "block size", "compressed block of %d bytes exceeds the maximum %d", size, blockMax)
			}
			if size > len(src)-pos {
				return op, pos, corrupt(base+pos-3, "block size", "compressed block of %d bytes, %d left", size, len(src)-pos)
			}
			end := min(len(dst), op+blockMax)
			n, err := d.decodeBlock(dst[:end], op, window, blockMax, src[pos:pos+size], base+pos)
			op += n
			if err != nil {
				return op, pos, err
			}
			pos += size
		default:
			return op, pos, corrupt(base+pos-3, "block header", "reserved block type")
		}
		if last {
			break
		}
	}
	if f.hasSize && uint64(op) != f.contentSize {
		return op, pos, corrupt(base+5, "frame content size", "%d declared, %d decoded", f.contentSize, op)
	}
	if f.checksum {
		if len(src)-pos < 4 {
			return op, pos, corrupt(base+pos, "content checksum", "truncated")
		}
		want := binary.LittleEndian.Uint32(src[pos:])
		if got := uint32(xxhash.Sum64(dst[:op])); got != want {
			return op, pos, corrupt(base+pos, "content checksum", "%#08x stored, content hashes to %#08x", want, got)
		}
		pos += 4
	}
	return op, pos, nil
}

// fill sets every byte of b to c.
func fill(b []byte, c byte) {
	if len(b) == 0 {
		return
	}
	b[0] = c
	for n := 1; n < len(b); n *= 2 {
		copy(b[n:], b[:n])
	}
}
