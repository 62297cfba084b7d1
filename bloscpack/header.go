package bloscpack

import (
	"encoding/binary"
	"fmt"
	"strings"
)

// Header is the 32-byte file header (bloscpack's BloscpackHeader), all
// little-endian:
//
//	magic "blpk" | format_version u8 | options u8 | checksum u8 | typesize u8 |
//	chunk_size i32 | last_chunk i32 | nchunks i64 | max_app_chunks i64
//
// -1 in ChunkSize, LastChunk or NChunks means "unknown" (a stream).
type Header struct {
	FormatVersion uint8
	Offsets       bool     // options bit 0: an offsets table follows the metadata
	Metadata      bool     // options bit 1: a metadata section follows the header
	Checksum      Checksum // digest after every chunk
	Typesize      int      // informational; each chunk's Blosc header has its own
	ChunkSize     int64    // size of every chunk but the last, -1 unknown
	LastChunk     int64    // size of the last chunk, -1 unknown
	NChunks       int64    // number of chunks, -1 unknown
	MaxAppChunks  int64    // offset slots reserved for appended chunks
}

// TotalSlots is the number of entries of the offsets table
// (total_prospective_chunks), 0 without offsets.
func (h *Header) TotalSlots() int64 {
	if !h.Offsets || h.NChunks < 0 {
		return 0
	}
	return h.NChunks + h.MaxAppChunks
}

// DataSize is the decoded size of the whole file, -1 when the header does
// not say.
func (h *Header) DataSize() int64 {
	if h.NChunks < 0 || h.ChunkSize < 0 || h.LastChunk < 0 {
		return -1
	}
	if h.NChunks == 0 {
		return 0
	}
	return h.ChunkSize*(h.NChunks-1) + h.LastChunk
}

// Encode appends the 32 header bytes to dst (BloscpackHeader.encode).
func (h *Header) Encode(dst []byte) []byte {
	var opts byte
	if h.Offsets {
		opts |= optOffsets
	}
	if h.Metadata {
		opts |= optMetadata
	}
	dst = append(dst, Magic...)
	dst = append(dst, h.FormatVersion, opts, byte(h.Checksum), byte(h.Typesize))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(h.ChunkSize)))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(int32(h.LastChunk)))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.NChunks))
	dst = binary.LittleEndian.AppendUint64(dst, uint64(h.MaxAppChunks))
	return dst
}

// DecodeHeader parses and validates a file header in the order bloscpack
// does (BloscpackHeader.decode and _read_bloscpack_header), with its error
// texts: length, magic, options bits, checksum id, field ranges, then the
// format version.
func DecodeHeader(b []byte) (Header, error) {
	if len(b) != HeaderSize {
		return Header{}, errorf(ErrFormat, 0, "header",
			"attempting to decode a bloscpack header of length '%d', not '%d'", len(b), HeaderSize)
	}
	if string(b[:4]) != Magic {
		return Header{}, errorf(ErrFormat, 0, "magic",
			"the magic marker b'blpk' is missing from the bloscpack header, instead we found: %s", PyBytesRepr(b[:4]))
	}
	opts := b[5]
	for i := 0; i < 6; i++ { // bits 7..2 as bloscpack's options string indices 0..5
		if opts&(0x80>>i) != 0 {
			// bloscpack's message really is unformatted.
			return Header{}, errorf(ErrFormat, 5, "options", "Element %%i was non-zero when attempting to decode options")
		}
	}
	h := Header{
		FormatVersion: b[4],
		Offsets:       opts&optOffsets != 0,
		Metadata:      opts&optMetadata != 0,
		Checksum:      Checksum(b[6]),
		Typesize:      int(b[7]),
		ChunkSize:     int64(int32(binary.LittleEndian.Uint32(b[8:]))),
		LastChunk:     int64(int32(binary.LittleEndian.Uint32(b[12:]))),
		NChunks:       int64(binary.LittleEndian.Uint64(b[16:])),
		MaxAppChunks:  int64(binary.LittleEndian.Uint64(b[24:])),
	}
	if err := h.validate(); err != nil {
		return Header{}, err
	}
	if h.FormatVersion != FormatVersion {
		return Header{}, errorf(ErrFormatVersion, 4, "format_version",
			"format version of file was not '%d' as expected, but '%d'", FormatVersion, h.FormatVersion)
	}
	return h, nil
}

// validate applies BloscpackHeader's constructor checks.
func (h *Header) validate() error {
	if !h.Checksum.Valid() {
		return errorf(ErrFormat, 6, "checksum", "list index out of range")
	}
	rng := func(name string, v, lo, hi int64, off int64) error {
		if v < lo || v > hi {
			return errorf(ErrFormat, off, name, "'%s' must be in the range %d <= n <= %d, not '%d'", name, lo, hi, v)
		}
		return nil
	}
	if err := rng("chunk_size", h.ChunkSize, -1, MaxChunkSize, 8); err != nil {
		return err
	}
	if err := rng("last_chunk", h.LastChunk, -1, MaxChunkSize, 12); err != nil {
		return err
	}
	if err := rng("nchunks", h.NChunks, -1, MaxChunks, 16); err != nil {
		return err
	}
	if err := rng("max_app_chunks", h.MaxAppChunks, 0, MaxChunks, 24); err != nil {
		return err
	}
	if h.NChunks != -1 {
		if h.NChunks > MaxChunks-h.MaxAppChunks {
			return errorf(ErrFormat, 16, "nchunks + max_app_chunks",
				"'nchunks + max_app_chunks' must be in the range 0 <= n <= %d, not '%d'", int64(MaxChunks), uint64(h.NChunks)+uint64(h.MaxAppChunks))
		}
	} else if h.MaxAppChunks != 0 {
		return errorf(ErrFormat, 24, "max_app_chunks", "'max_app_chunks' can not be non '0' if 'nchunks' is '-1'")
	}
	if h.ChunkSize != -1 && h.LastChunk != -1 && h.LastChunk > h.ChunkSize {
		return errorf(ErrFormat, 12, "last_chunk", "'last_chunk' (%d) is larger than 'chunk_size' (%d)", h.LastChunk, h.ChunkSize)
	}
	return nil
}

// PyBytesRepr formats b as Python 3's repr(bytes) does: b'...' (or b"..."
// when b holds a single quote and no double quote), printable ASCII as is,
// \t \n \r \\ and the quote escaped, everything else as \xNN.
func PyBytesRepr(b []byte) string {
	quote := byte('\'')
	if strings.IndexByte(string(b), '\'') >= 0 && strings.IndexByte(string(b), '"') < 0 {
		quote = '"'
	}
	var s strings.Builder
	s.WriteByte('b')
	s.WriteByte(quote)
	for _, c := range b {
		switch {
		case c == quote || c == '\\':
			s.WriteByte('\\')
			s.WriteByte(c)
		case c == '\t':
			s.WriteString(`\t`)
		case c == '\n':
			s.WriteString(`\n`)
		case c == '\r':
			s.WriteString(`\r`)
		case c < 0x20 || c >= 0x7f:
			fmt.Fprintf(&s, `\x%02x`, c)
		default:
			s.WriteByte(c)
		}
	}
	s.WriteByte(quote)
	return s.String()
}
