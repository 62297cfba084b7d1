package blosc

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Wire constants of the Blosc1 chunk format. Never change them: they are
// the bytes c-blosc 1.x writes and reads (blosc.h, BLOSC_*).
const (
	// HeaderSize is the size of the fixed chunk header (BLOSC_MIN_HEADER_LENGTH).
	HeaderSize = 16
	// MaxOverhead is the most a chunk can exceed its input (BLOSC_MAX_OVERHEAD):
	// the header of a memcpy chunk.
	MaxOverhead = HeaderSize
	// MaxBufferSize is the largest input c-blosc 1.x accepts
	// (BLOSC_MAX_BUFFERSIZE = INT_MAX - MaxOverhead).
	MaxBufferSize = 1<<31 - 1 - MaxOverhead
	// MaxTypesize is the largest element size a header can carry.
	MaxTypesize = 255
	// MaxBlocksize is BLOSC_MAX_BLOCKSIZE, the largest block c-blosc handles.
	MaxBlocksize = (1<<31 - 1 - MaxTypesize*4) / 3
	// MinBufferSize is the input size below which c-blosc always stores a
	// memcpy chunk (MIN_BUFFERSIZE).
	MinBufferSize = 128
	// MaxThreads is BLOSC_MAX_THREADS.
	MaxThreads = 256

	// FormatVersion is the chunk format version c-blosc 1.x writes
	// (BLOSC_VERSION_FORMAT); it is the only one this package reads.
	FormatVersion = 2
	// VersionLZ is the codec format version byte c-blosc 1.x writes.
	VersionLZ = 1

	// FlagShuffle marks byte-shuffled blocks (BLOSC_DOSHUFFLE).
	FlagShuffle = 0x01
	// FlagMemcpyed marks a chunk whose body is the raw input (BLOSC_MEMCPYED).
	FlagMemcpyed = 0x02
	// FlagBitShuffle marks bit-shuffled blocks (BLOSC_DOBITSHUFFLE).
	FlagBitShuffle = 0x04
	// flagReserved must be clear in a Blosc1 chunk ("flags from the future").
	flagReserved = 0x08
	// FlagDontSplit marks blocks stored as one stream instead of one stream
	// per byte of the type (BLOSC_DONT_SPLIT; bloscpack calls it split_blocks).
	FlagDontSplit = 0x10
	// flagCodecShift is the position of the 3-bit codec format code.
	flagCodecShift = 5
)

// ErrCorrupt is the sentinel every malformed-chunk error wraps.
var ErrCorrupt = errors.New("blosc: corrupt chunk")

// ErrInvalidOptions reports compression options out of range.
var ErrInvalidOptions = errors.New("blosc: invalid options")

// CorruptError describes where a chunk is malformed: the byte offset in the
// chunk, the field and what was wrong. It unwraps to ErrCorrupt.
type CorruptError struct {
	Offset int    // byte offset inside the chunk
	Field  string // e.g. "cbytes", "bstarts[3]", "block 2 stream 0"
	Msg    string // what was expected
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("blosc: corrupt chunk: %s at offset %d: %s", e.Field, e.Offset, e.Msg)
}

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int, field, format string, args ...any) error {
	return &CorruptError{Offset: off, Field: field, Msg: fmt.Sprintf(format, args...)}
}

// Header is the 16-byte Blosc1 chunk header (all little-endian):
//
//	version uint8 | versionlz uint8 | flags uint8 | typesize uint8 |
//	nbytes uint32 | blocksize uint32 | cbytes uint32
//
// Cbytes counts the whole chunk including the header (bloscpack's ctbytes).
type Header struct {
	Version   uint8 // chunk format version, 2 for c-blosc 1.x
	VersionLZ uint8 // codec format version, 1
	Flags     uint8 // Flag* bits and the codec format code in bits 5..7
	Typesize  int   // element size in bytes, 1..255
	Nbytes    int   // decoded size
	Blocksize int   // decoded size of every block but the last
	Cbytes    int   // chunk size including the header
}

// ParseHeader decodes the first HeaderSize bytes of src and checks the
// fields against each other (not against len(src); see Validate). It is
// blosc_cbuffer_sizes plus blosc_cbuffer_metainfo plus the checks c-blosc's
// decompressor makes before it touches the body.
func ParseHeader(src []byte) (Header, error) {
	if len(src) < HeaderSize {
		return Header{}, corrupt(0, "header", "need %d bytes, have %d", HeaderSize, len(src))
	}
	h := Header{
		Version:   src[0],
		VersionLZ: src[1],
		Flags:     src[2],
		Typesize:  int(src[3]),
		Nbytes:    int(binary.LittleEndian.Uint32(src[4:])),
		Blocksize: int(binary.LittleEndian.Uint32(src[8:])),
		Cbytes:    int(binary.LittleEndian.Uint32(src[12:])),
	}
	return h, h.check()
}

// check validates the header fields on their own, as c-blosc's
// blosc_run_decompression_with_context does before touching the body: an
// empty chunk needs nothing more; otherwise the block size must lie in
// (0, nbytes], the typesize be non-zero, the reserved flag clear and a
// memcpy chunk exactly nbytes+16 long.
func (h Header) check() error {
	switch {
	case h.Version != FormatVersion:
		return corrupt(0, "version", "format version %d, want %d (Blosc2 chunks are not Blosc1)", h.Version, FormatVersion)
	case h.Cbytes < HeaderSize:
		return corrupt(12, "cbytes", "%d is less than the header size %d", h.Cbytes, HeaderSize)
	case h.Nbytes == 0:
		return nil // blosc_decompress returns 0 at once
	case h.Nbytes > MaxBufferSize:
		return corrupt(4, "nbytes", "%d exceeds the maximum %d", h.Nbytes, MaxBufferSize)
	case h.Flags&flagReserved != 0:
		return corrupt(2, "flags", "reserved bit 0x08 set (flags %#02x)", h.Flags)
	case h.Typesize == 0:
		return corrupt(3, "typesize", "typesize 0")
	case h.Blocksize == 0 || h.Blocksize > h.Nbytes || h.Blocksize > MaxBlocksize:
		return corrupt(8, "blocksize", "%d, want 1..min(nbytes %d, %d)", h.Blocksize, h.Nbytes, MaxBlocksize)
	}
	if h.Memcpyed() {
		if h.Cbytes != h.Nbytes+HeaderSize {
			return corrupt(12, "cbytes", "memcpy chunk has cbytes %d, want nbytes+16 = %d", h.Cbytes, h.Nbytes+HeaderSize)
		}
		return nil
	}
	if nb := h.NBlocks(); (h.Cbytes-HeaderSize)/4 < nb {
		return corrupt(12, "cbytes", "%d bytes cannot hold the %d block starts", h.Cbytes, nb)
	}
	if h.codecFormat() > 4 {
		return corrupt(2, "flags", "unknown codec format %d", h.codecFormat())
	}
	if h.VersionLZ != VersionLZ {
		return corrupt(1, "versionlz", "codec format version %d, want %d", h.VersionLZ, VersionLZ)
	}
	return nil
}

// Validate checks the header against the buffer that holds the chunk: src
// must hold at least Cbytes bytes.
func (h Header) Validate(src []byte) error {
	if len(src) < h.Cbytes {
		return corrupt(12, "cbytes", "chunk claims %d bytes, buffer has %d", h.Cbytes, len(src))
	}
	return nil
}

// Memcpyed reports whether the body is the input stored raw (BLOSC_MEMCPYED).
func (h Header) Memcpyed() bool { return h.Flags&FlagMemcpyed != 0 }

// Shuffle reports the shuffle filter recorded in the flags. A memcpy chunk
// may carry shuffle bits that do not apply.
func (h Header) Shuffle() Shuffle {
	switch {
	case h.Flags&FlagShuffle != 0:
		return ByteShuffle
	case h.Flags&FlagBitShuffle != 0:
		return BitShuffle
	}
	return NoShuffle
}

// DontSplit reports the BLOSC_DONT_SPLIT flag (0x10).
func (h Header) DontSplit() bool { return h.Flags&FlagDontSplit != 0 }

// Split reports whether full blocks are stored as one stream per byte of the
// type. It mirrors c-blosc's decompressor, which splits only when the flag
// allows it and the legacy rule holds (typesize <= 16 and at least 128
// elements per block); the short leftover block is never split.
func (h Header) Split() bool {
	return !h.DontSplit() && h.Typesize <= 16 && h.Blocksize/h.Typesize >= MinBufferSize
}

// codecFormat is the 3-bit codec format code in flags bits 5..7.
func (h Header) codecFormat() uint8 { return h.Flags >> flagCodecShift }

// Codec returns the codec the chunk was compressed with. lz4hc streams are
// lz4 streams, so a chunk written with LZ4HC reports LZ4.
func (h Header) Codec() Codec {
	switch h.codecFormat() {
	case 0:
		return BloscLZ
	case 1:
		return LZ4
	case 2:
		return Snappy
	case 3:
		return Zlib
	case 4:
		return Zstd
	}
	return Codec(255)
}

// NBlocks is the number of blocks, the last possibly shorter.
func (h Header) NBlocks() int {
	if h.Nbytes == 0 || h.Blocksize == 0 {
		return 0
	}
	return (h.Nbytes + h.Blocksize - 1) / h.Blocksize
}

// Append appends the 16 header bytes to dst.
func (h Header) Append(dst []byte) []byte {
	dst = append(dst, h.Version, h.VersionLZ, h.Flags, uint8(h.Typesize))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(h.Nbytes))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(h.Blocksize))
	return binary.LittleEndian.AppendUint32(dst, uint32(h.Cbytes))
}

// DecompressedSize returns nbytes from a chunk header after validating the
// header against len(src) (blosc_cbuffer_sizes).
func DecompressedSize(src []byte) (int, error) {
	h, err := ParseHeader(src)
	if err != nil {
		return 0, err
	}
	if err := h.Validate(src); err != nil {
		return 0, err
	}
	return h.Nbytes, nil
}

// CompressedSize returns cbytes, the length of the chunk at the start of src,
// from its header (blosc_cbuffer_sizes).
func CompressedSize(src []byte) (int, error) {
	h, err := ParseHeader(src)
	if err != nil {
		return 0, err
	}
	return h.Cbytes, nil
}
