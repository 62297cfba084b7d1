package bloscpack

import (
	"errors"
	"os"

	"ringvault/storage"
)

// CompressFile packs the file src into a new file dst (pack_file_to_file).
// dst is replaced if it exists. On error the partial dst is removed.
func CompressFile(src, dst string, opts *Options) (err error) {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := out.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(dst)
		}
	}()
	w, err := NewWriter(out, st.Size(), opts)
	if err != nil {
		return err
	}
	if _, err := w.ReadFromAt(in, 0); err != nil {
		w.Close()
		return withPath(err, src)
	}
	if err := w.Close(); err != nil {
		return withPath(err, dst)
	}
	return out.Sync()
}

// File is an open Bloscpack file: a Reader that owns its storage.
type File struct {
	*Reader
	f storage.File
}

// Close closes the underlying file.
func (f *File) Close() error { return f.f.Close() }

// Open opens the Bloscpack file at path for reading.
func Open(path string) (*File, error) {
	f, err := storage.Open(path)
	if err != nil {
		return nil, err
	}
	size, err := f.Size()
	if err != nil {
		f.Close()
		return nil, err
	}
	r, err := NewReader(f, size)
	if err != nil {
		f.Close()
		return nil, withPath(err, path)
	}
	return &File{Reader: r, f: f}, nil
}

// DecompressFile unpacks src into dst (unpack_file_from_file) and returns
// the metadata JSON (nil when there is none). Like bloscpack it leaves the
// chunks decoded before a damaged one in dst.
func DecompressFile(src, dst string) ([]byte, error) {
	f, err := Open(src)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out, err := os.Create(dst)
	if err != nil {
		return nil, err
	}
	_, werr := f.WriteAllTo(out)
	cerr := out.Close()
	if werr != nil {
		return nil, withPath(werr, src)
	}
	return f.Metadata(), cerr
}

// AppendFile appends the file newPath to the Bloscpack file path (append).
func AppendFile(path, newPath string, opts *AppendOptions) (AppendResult, error) {
	in, err := os.Open(newPath)
	if err != nil {
		return AppendResult{}, err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return AppendResult{}, err
	}
	f, err := storage.OpenRW(path)
	if err != nil {
		return AppendResult{}, err
	}
	res, err := Append(f, in, st.Size(), opts)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return res, withPath(err, path)
}

// IsFormatError reports whether err means the input is not a readable
// Bloscpack file (as opposed to an I/O error).
func IsFormatError(err error) bool {
	return errors.Is(err, ErrFormat) || errors.Is(err, ErrTruncated) || errors.Is(err, ErrFormatVersion) || errors.Is(err, ErrChecksumMismatch)
}
