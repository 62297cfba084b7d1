package whisper

import "errors"

// ResizeOptions tunes Resize (whisper-resize's options).
type ResizeOptions struct {
	XFilesFactor      *float64
	AggregationMethod AggregationMethod
	Aggregate         bool
	Sparse            bool
	Fallocate         bool
	NoBackup          bool
	NewFile           string
	Progress          func(done, total int64)
}

// Resize is whisper-resize: it rewrites path with new archives.
func Resize(path string, archives []ArchiveSpec, now int64, opts *ResizeOptions) error {
	return errors.New("whisper: Resize is being implemented")
}
