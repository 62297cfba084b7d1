package bloscpack

import (
	"errors"
	"fmt"
)

// Wire constants of Bloscpack format version 3. Never change them: they are
// the bytes bloscpack 0.16 writes and reads (bloscpack/constants.py).
const (
	// Magic opens every file.
	Magic = "blpk"
	// FormatVersion is the only container version bloscpack writes and reads.
	FormatVersion = 3
	// HeaderSize is the size of the file header (BLOSCPACK_HEADER_LENGTH).
	HeaderSize = 32
	// MetaHeaderSize is the size of the metadata header (METADATA_HEADER_LENGTH).
	MetaHeaderSize = 32
	// BloscHeaderSize is the size of a Blosc1 chunk header.
	BloscHeaderSize = 16
	// OffsetSize is the size of one entry of the offsets table (int64).
	OffsetSize = 8
	// MaxChunkSize is the largest chunk Blosc1 accepts (BLOSC_MAX_BUFFERSIZE).
	MaxChunkSize = 1<<31 - 1 - 16
	// MaxChunks bounds nchunks + max_app_chunks (MAX_CHUNKS).
	MaxChunks = 1<<63 - 1
	// MaxMetaSize bounds the metadata sizes (uint32).
	MaxMetaSize = 1<<32 - 1
	// Extension is the file name suffix blpk expects.
	Extension = ".blp"

	optOffsets  = 0x01
	optMetadata = 0x02

	// DefaultChunkSize is bloscpack's default chunk size, 1 MiB ("1M").
	DefaultChunkSize = 1 << 20
)

// Sentinel errors. Every error of this package wraps one of them (or an I/O
// error) together with the path, offset and field.
var (
	// ErrFormat: the bytes are not a valid Bloscpack file (bloscpack raises
	// ValueError).
	ErrFormat = errors.New("bloscpack: invalid file")
	// ErrFormatVersion: the header carries a version other than 3
	// (FormatVersionMismatch).
	ErrFormatVersion = errors.New("bloscpack: format version mismatch")
	// ErrChecksumMismatch: a chunk or the metadata does not match its digest
	// (ChecksumMismatch).
	ErrChecksumMismatch = errors.New("bloscpack: checksum mismatch")
	// ErrTruncated: the file ends inside a section.
	ErrTruncated = errors.New("bloscpack: file truncated")
	// ErrNoOffsets: appending needs the offsets table.
	ErrNoOffsets = errors.New("bloscpack: appending to a file without offsets is not supported")
	// ErrNotEnoughSpace: the appended data needs more chunks than
	// max_app_chunks allows (NotEnoughSpace).
	ErrNotEnoughSpace = errors.New("bloscpack: not enough space")
	// ErrNoMetadata: the file has no metadata section (NoMetadataFound).
	ErrNoMetadata = errors.New("bloscpack: no metadata")
	// ErrNoChangeInMetadata: a rewrite would store the same metadata
	// (NoChangeInMetadata).
	ErrNoChangeInMetadata = errors.New("bloscpack: metadata unchanged")
	// ErrMetadataTooSmall: the metadata does not fit max_meta_size
	// (MetadataSectionTooSmall).
	ErrMetadataTooSmall = errors.New("bloscpack: metadata section too small")
	// ErrInvalidOptions: writer or append options out of range.
	ErrInvalidOptions = errors.New("bloscpack: invalid options")
	// ErrSize: a Writer got more or fewer bytes than the size it announced.
	ErrSize = errors.New("bloscpack: input size differs from the announced size")
)

// Error locates a problem in a file. Msg is the text bloscpack itself gives
// for the same problem where it has one (the blpk CLI prints it), Err the
// sentinel it wraps.
type Error struct {
	Path   string // file name, "" when unknown
	Offset int64  // byte offset in the file, -1 when not applicable
	Field  string // section or field: "header", "chunk 3", "metadata"
	Msg    string // bloscpack's message, e.g. "format version of file was not '3' as expected, but '2'"
	Err    error  // sentinel
}

func (e *Error) Error() string {
	s := e.Err.Error() + ": "
	if e.Path != "" {
		s += e.Path + ": "
	}
	if e.Field != "" {
		s += e.Field
		if e.Offset >= 0 {
			s += fmt.Sprintf(" at offset %d", e.Offset)
		}
		s += ": "
	}
	return s + e.Msg
}

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func errorf(sentinel error, off int64, field, format string, args ...any) *Error {
	return &Error{Offset: off, Field: field, Msg: fmt.Sprintf(format, args...), Err: sentinel}
}

// withPath sets the path on an *Error (or wraps other errors with it).
func withPath(err error, path string) error {
	if err == nil || path == "" {
		return err
	}
	var e *Error
	if errors.As(err, &e) && e.Path == "" {
		e.Path = path
		return err
	}
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", path, err)
}
