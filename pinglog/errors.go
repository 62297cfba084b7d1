package pinglog

import (
	"errors"
	"fmt"
)

// Sentinel errors. Test with errors.Is; they arrive wrapped with the
// offset and field (and, from the path helpers, the file name).
var (
	// ErrCorrupt: the bytes do not form a valid log (bad magic, length,
	// offset or checksum).
	ErrCorrupt = errors.New("pinglog: corrupt file")
	// ErrVersion: the file is a PING log of a version this package does
	// not handle, or not the version the caller asked for.
	ErrVersion = errors.New("pinglog: unsupported version")
	// ErrEmpty: the operation needs at least one record (the original
	// read_records raises IndexError on an empty file).
	ErrEmpty = errors.New("pinglog: no records")
	// ErrRange: a value does not fit the record's data_length, or an
	// argument is out of range.
	ErrRange = errors.New("pinglog: value out of range")
	// ErrReadOnly: a write on a log opened for reading.
	ErrReadOnly = errors.New("pinglog: log opened read-only")
)

// CorruptError locates a defect in a log file.
type CorruptError struct {
	Offset int64  // byte offset in the file
	Field  string // the field being decoded
	Reason string // what was expected
}

func (e *CorruptError) Error() string {
	return fmt.Sprintf("pinglog: corrupt file at byte %d (%s): %s", e.Offset, e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrCorrupt) true.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

func corrupt(off int64, field, format string, args ...any) error {
	return &CorruptError{Offset: off, Field: field, Reason: fmt.Sprintf(format, args...)}
}
