package bloscpack

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"io"
	"strings"
)

// MetaCodec is the metadata compressor id (bloscpack/metacodecs.py).
type MetaCodec uint8

// The metadata codecs.
const (
	MetaNone MetaCodec = 0 // stored as is
	MetaZlib MetaCodec = 1 // zlib.compress(data, level): an RFC 1950 stream
)

// String returns "None" or "zlib".
func (c MetaCodec) String() string {
	switch c {
	case MetaNone:
		return "None"
	case MetaZlib:
		return "zlib"
	}
	return fmt.Sprintf("codec(%d)", uint8(c))
}

// MetaHeader is the 32-byte metadata header (bloscpack's MetadataHeader):
//
//	magic_format [8]byte | meta_options u8 | meta_checksum u8 | meta_codec u8 |
//	meta_level u8 | meta_size u32 | max_meta_size u32 | meta_comp_size u32 |
//	user_codec [8]byte
type MetaHeader struct {
	MagicFormat  string    // "JSON", NUL-padded on disk
	Options      uint8     // all bits must be zero
	Checksum     Checksum  // digest of the stored metadata bytes
	Codec        MetaCodec // MetaZlib unless compression did not pay
	Level        uint8     // zlib level (kept even when Codec fell back to None)
	Size         uint32    // serialized JSON size
	MaxSize      uint32    // space reserved for the stored bytes
	CompSize     uint32    // stored bytes (== Size when not compressed)
	UserCodec    string    // unused, NUL-padded
	DigestOffset int64     // where the digest sits, relative to the section start (decode only)
	Digest       []byte    // the stored digest (decode only)
}

// SectionSize is the length of the whole metadata section: header,
// reserved space and digest.
func (m *MetaHeader) SectionSize() int64 {
	return MetaHeaderSize + int64(m.MaxSize) + int64(m.Checksum.Size())
}

// Encode appends the 32 metadata header bytes to dst.
func (m *MetaHeader) Encode(dst []byte) []byte {
	dst = appendPadded(dst, m.MagicFormat, 8)
	dst = append(dst, m.Options, byte(m.Checksum), byte(m.Codec), m.Level)
	dst = binary.LittleEndian.AppendUint32(dst, m.Size)
	dst = binary.LittleEndian.AppendUint32(dst, m.MaxSize)
	dst = binary.LittleEndian.AppendUint32(dst, m.CompSize)
	return appendPadded(dst, m.UserCodec, 8)
}

func appendPadded(dst []byte, s string, n int) []byte {
	dst = append(dst, s...)
	for i := len(s); i < n; i++ {
		dst = append(dst, 0)
	}
	return dst
}

// DecodeMetaHeader parses a metadata header with MetadataHeader.decode's checks.
func DecodeMetaHeader(b []byte) (MetaHeader, error) {
	if len(b) != MetaHeaderSize {
		return MetaHeader{}, errorf(ErrFormat, 0, "metadata header",
			"attempting to decode a bloscpack metadata header of length '%d', not '32'", len(b))
	}
	m := MetaHeader{
		MagicFormat: strings.Trim(string(b[:8]), "\x00"),
		Options:     b[8],
		Checksum:    Checksum(b[9]),
		Codec:       MetaCodec(b[10]),
		Level:       b[11],
		Size:        binary.LittleEndian.Uint32(b[12:]),
		MaxSize:     binary.LittleEndian.Uint32(b[16:]),
		CompSize:    binary.LittleEndian.Uint32(b[20:]),
		UserCodec:   strings.Trim(string(b[24:32]), "\x00"),
	}
	switch {
	case m.Options != 0:
		return m, errorf(ErrFormat, 8, "meta_options", "Element %%i was non-zero when attempting to decode options")
	case !m.Checksum.Valid():
		return m, errorf(ErrFormat, 9, "meta_checksum", "list index out of range")
	case m.Codec > MetaZlib:
		return m, errorf(ErrFormat, 10, "meta_codec", "list index out of range")
	case m.Level > 9:
		return m, errorf(ErrFormat, 11, "meta_level", "'meta_level' must be in the range 0 <= n <= 9, not '%d'", m.Level)
	case m.MagicFormat != "JSON":
		return m, errorf(ErrFormat, 0, "magic_format", "%s", PyBytesRepr([]byte(m.MagicFormat)))
	case m.CompSize > m.MaxSize:
		return m, errorf(ErrFormat, 20, "meta_comp_size", "metadata section is too small to contain the metadata required: %d allocated: %d", m.CompSize, m.MaxSize)
	}
	return m, nil
}

// MetaOptions control how metadata is stored (bloscpack's MetadataArgs).
type MetaOptions struct {
	Checksum Checksum  // digest of the stored bytes; bloscpack's default Adler32
	Codec    MetaCodec // MetaZlib by default; falls back to MetaNone when zlib would be larger
	Level    int       // zlib level 0..9, default 6
	// MaxSize is the reserved space; -1 means 10 × the JSON size (the default).
	MaxSize int64
}

// DefaultMetaOptions are bloscpack's defaults: adler32, zlib level 6,
// 10 × the JSON size reserved.
func DefaultMetaOptions() MetaOptions {
	return MetaOptions{Checksum: Adler32, Codec: MetaZlib, Level: 6, MaxSize: -1}
}

// EncodeMetadata appends a whole metadata section for the JSON text js
// (already in its stored form, see CompactJSON) to dst: header, data, zero
// padding up to max_meta_size and the digest of the stored bytes
// (_write_metadata, with its opportunistic compression: zlib is kept only
// when it is not larger than the raw JSON).
func EncodeMetadata(dst, js []byte, o MetaOptions) ([]byte, MetaHeader, error) {
	if o.Level < 0 || o.Level > 9 || !o.Checksum.Valid() || o.Codec > MetaZlib {
		return dst, MetaHeader{}, fmt.Errorf("%w: metadata level %d, checksum %d, codec %d", ErrInvalidOptions, o.Level, o.Checksum, o.Codec)
	}
	if int64(len(js)) > MaxMetaSize {
		return dst, MetaHeader{}, fmt.Errorf("%w: metadata of %d bytes", ErrMetadataTooSmall, len(js))
	}
	stored := js
	codec := o.Codec
	if codec == MetaZlib {
		var b bytes.Buffer
		zw, _ := zlib.NewWriterLevel(&b, o.Level)
		zw.Write(js)
		zw.Close()
		if b.Len() <= len(js) {
			stored = b.Bytes()
		} else {
			codec = MetaNone
		}
	}
	maxSize := o.MaxSize
	if maxSize < 0 {
		maxSize = 10 * int64(len(js))
	}
	if int64(len(stored)) > maxSize || maxSize > MaxMetaSize {
		return dst, MetaHeader{}, errorf(ErrMetadataTooSmall, -1, "metadata",
			"metadata section is too small to contain the metadata required: %d allocated: %d", len(stored), maxSize)
	}
	m := MetaHeader{
		MagicFormat: "JSON", Checksum: o.Checksum, Codec: codec, Level: uint8(o.Level),
		Size: uint32(len(js)), MaxSize: uint32(maxSize), CompSize: uint32(len(stored)),
	}
	dst = m.Encode(dst)
	dst = append(dst, stored...)
	dst = append(dst, make([]byte, maxSize-int64(len(stored)))...)
	dst = o.Checksum.Sum(dst, stored)
	m.DigestOffset = MetaHeaderSize + maxSize
	return dst, m, nil
}

// readMetadata reads the metadata section at off and returns its header
// and the JSON text (decompressed), after checking the digest
// (_read_metadata).
func readMetadata(r io.ReaderAt, off, fileSize int64) (MetaHeader, []byte, error) {
	hb := make([]byte, MetaHeaderSize)
	if err := readFull(r, hb, off, "metadata header"); err != nil {
		return MetaHeader{}, nil, err
	}
	m, err := DecodeMetaHeader(hb)
	if err != nil {
		err.(*Error).Offset += off
		return m, nil, err
	}
	m.DigestOffset = MetaHeaderSize + int64(m.MaxSize)
	if end := off + m.SectionSize(); end > fileSize {
		return m, nil, errorf(ErrTruncated, off, "metadata", "section of %d bytes ends at %d, beyond the end of the file (%d bytes)", m.SectionSize(), end, fileSize)
	}
	stored := make([]byte, m.CompSize)
	if err := readFull(r, stored, off+MetaHeaderSize, "metadata"); err != nil {
		return m, nil, err
	}
	if n := m.Checksum.Size(); n > 0 {
		want := make([]byte, n)
		if err := readFull(r, want, off+m.DigestOffset, "metadata digest"); err != nil {
			return m, nil, err
		}
		m.Digest = want
		if got := m.Checksum.Sum(nil, stored); !bytes.Equal(got, want) {
			return m, nil, errorf(ErrChecksumMismatch, off+m.DigestOffset, "metadata",
				"Checksum mismatch detected in metadata expected: '%s', received: '%s'", PyBytesRepr(want), PyBytesRepr(got))
		}
	}
	js := stored
	if m.Codec == MetaZlib {
		zr, err := zlib.NewReader(bytes.NewReader(stored))
		if err == nil {
			// The JSON size is in the header; never inflate beyond it.
			// deflate cannot expand beyond ~1032:1
			limit := min(int64(m.Size), 1032*int64(m.CompSize)+64)
			js, err = io.ReadAll(io.LimitReader(zr, limit+1))
			if err == nil && int64(len(js)) != int64(m.Size) {
				err = fmt.Errorf("inflates to %d bytes, meta_size says %d", len(js), m.Size)
			}
		}
		if err != nil {
			return m, nil, errorf(ErrFormat, off+MetaHeaderSize, "metadata", "Error -3 while decompressing data: %v", err)
		}
	}
	if _, err := DecodeJSON(js); err != nil {
		return m, nil, errorf(ErrFormat, off+MetaHeaderSize, "metadata", "%v", err)
	}
	return m, js, nil
}

// readFull reads len(p) bytes at off, mapping a short file to ErrTruncated.
func readFull(r io.ReaderAt, p []byte, off int64, field string) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || err == io.EOF || err == io.ErrUnexpectedEOF {
		return errorf(ErrTruncated, off, field, "need %d bytes, the file has %d", len(p), n)
	}
	return fmt.Errorf("bloscpack: reading %s at offset %d: %w", field, off, err)
}
