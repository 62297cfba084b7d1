package whisper

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error the package returns for one of python's
// exceptions wraps one of these (test with errors.Is) inside an *Error
// whose Error() is python's exact message.
var (
	// ErrTimestampNotCovered is python's TimestampNotCovered.
	ErrTimestampNotCovered = errors.New("whisper: timestamp not covered")
	// ErrInvalidTimeInterval is python's InvalidTimeInterval (and the
	// ValueError of merge's time_to < time_from).
	ErrInvalidTimeInterval = errors.New("whisper: invalid time interval")
	// ErrInvalidConfiguration is python's InvalidConfiguration.
	ErrInvalidConfiguration = errors.New("whisper: invalid configuration")
	// ErrInvalidAggregationMethod is python's InvalidAggregationMethod.
	ErrInvalidAggregationMethod = errors.New("whisper: invalid aggregation method")
	// ErrInvalidXFilesFactor is python's InvalidXFilesFactor.
	ErrInvalidXFilesFactor = errors.New("whisper: invalid xFilesFactor")
	// ErrInvalidRetention is the ValueError of python's parseRetentionDef.
	ErrInvalidRetention = errors.New("whisper: invalid retention definition")
	// ErrInvalidGranularity is the ValueError fetch raises for an
	// archiveToSelect that matches no archive.
	ErrInvalidGranularity = errors.New("whisper: invalid granularity")
	// ErrUnlikeArchives is the NotImplementedError of merge and diff on
	// files with different archive lists.
	ErrUnlikeArchives = errors.New("whisper: archive configurations are unalike")
	// ErrCorrupt is python's CorruptWhisperFile; the error is a
	// *CorruptError with the details.
	ErrCorrupt = errors.New("whisper: corrupt file")
	// ErrReadOnly is returned by write operations on a File opened with
	// OpenOptions.ReadOnly.
	ErrReadOnly = errors.New("whisper: file opened read-only")
	// ErrClosed is returned by operations on a closed File.
	ErrClosed = errors.New("whisper: file already closed")
)

// Error is an error python whisper raises as an exception: Error() is
// python's str(exception), Exception the exception's class name.
type Error struct {
	Exception string // "TimestampNotCovered", "InvalidConfiguration", "ValueError", ...
	Message   string // python's message, exactly
	Err       error  // the sentinel
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the sentinel.
func (e *Error) Unwrap() error { return e.Err }

func newErr(sentinel error, exception, format string, args ...any) *Error {
	return &Error{Exception: exception, Message: fmt.Sprintf(format, args...), Err: sentinel}
}

func errNotCovered() error {
	return newErr(ErrTimestampNotCovered, "TimestampNotCovered",
		"Timestamp not covered by any archives in this database.")
}

func errConfig(format string, args ...any) error {
	return newErr(ErrInvalidConfiguration, "InvalidConfiguration", format, args...)
}

// CorruptError is python's CorruptWhisperFile, with where and why.
type CorruptError struct {
	Path   string // file name as given to Open
	Offset int64  // byte offset of the bad field
	Field  string // "aggregationType", "xFilesFactor", "archive 1 points", ...
	Msg    string // python's error text: "Unable to read header", ...
	Detail string // what was expected, e.g. "archive 2 ends at 1147732 but the file has 1000000 bytes"
}

// Error is python's str(CorruptWhisperFile) followed by the details.
func (e *CorruptError) Error() string {
	if e.Detail == "" {
		return e.Python()
	}
	return fmt.Sprintf("%s: %s at offset %d: %s", e.Python(), e.Field, e.Offset, e.Detail)
}

// Python returns python's str(CorruptWhisperFile): "error (path)".
func (e *CorruptError) Python() string { return fmt.Sprintf("%s (%s)", e.Msg, e.Path) }

// Unwrap returns ErrCorrupt.
func (e *CorruptError) Unwrap() error { return ErrCorrupt }

// PythonMessage returns the text python whisper would print for err
// (str(exception)) and the exception's class name, if err is one of the
// errors python raises; ok is false for other errors (I/O errors, ...).
func PythonMessage(err error) (exception, message string, ok bool) {
	var we *Error
	if errors.As(err, &we) {
		return we.Exception, we.Message, true
	}
	var ce *CorruptError
	if errors.As(err, &ce) {
		return "CorruptWhisperFile", ce.Python(), true
	}
	return "", "", false
}
