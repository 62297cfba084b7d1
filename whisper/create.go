package whisper

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"ringvault/storage"
)

// CreateOptions tunes Create. A nil *CreateOptions gives python's defaults:
// xFilesFactor 0.5, average, zero-filled data.
type CreateOptions struct {
	// XFilesFactor is the fraction of known finer points a coarser point
	// needs; nil means python's default 0.5 (use XFF(0) for zero).
	XFilesFactor *float64
	// AggregationMethod; 0 means python's default, Average.
	AggregationMethod AggregationMethod
	// Sparse writes only the header and the last byte, leaving the data a
	// hole (python's sparse=True).
	Sparse bool
	// Fallocate reserves the data blocks with fallocate(2) instead of
	// writing zeros (python's useFallocate=True). It wins over Sparse, as
	// in python; on a storage.File without Fallocate it falls back to
	// Sparse or zero-filling.
	Fallocate bool
	// Lock takes an exclusive flock on the new file while it is written
	// (python's LOCK=True).
	Lock bool
	// Sync fsyncs the new file and its directory before Create returns
	// (python's AUTOFLUSH does the file part).
	Sync bool
}

// XFF returns a pointer to v, for CreateOptions.XFilesFactor and
// ResizeOptions.XFilesFactor.
func XFF(v float64) *float64 { return &v }

func (o *CreateOptions) resolve() (AggregationMethod, float64) {
	m, xff := Average, 0.5
	if o != nil {
		if o.AggregationMethod != 0 {
			m = o.AggregationMethod
		}
		if o.XFilesFactor != nil {
			xff = *o.XFilesFactor
		}
	}
	return m, xff
}

// NewHeader validates archives (sorting them in place, as python's
// validateArchiveList does) and returns the header create would write.
func NewHeader(archives []ArchiveSpec, m AggregationMethod, xff float64) (*Header, error) {
	if err := ValidateArchiveList(archives); err != nil {
		return nil, err
	}
	if !m.Valid() {
		return nil, errMethod(m)
	}
	if err := checkXFF(xff); err != nil {
		return nil, err
	}
	h := &Header{AggregationMethod: m, XFilesFactor: float32(xff), Archives: make([]ArchiveInfo, len(archives))}
	off := h.Size()
	for i, a := range archives {
		if a.Retention() > h.MaxRetention {
			h.MaxRetention = a.Retention()
		}
		if off+int64(a.Points)*pointSize > 1<<32-1 {
			return nil, errConfig("Archive%d would start beyond the 4 GiB that 32-bit offsets address", i+1)
		}
		h.Archives[i] = ArchiveInfo{Offset: uint32(off), SecondsPerPoint: a.SecondsPerPoint, Points: a.Points,
			Retention: a.Retention(), Size: a.Points * pointSize}
		off += int64(a.Points) * pointSize
	}
	return h, nil
}

// fallocater is implemented by *storage.OSFile.
type fallocater interface{ Fallocate(off, n int64) error }

// CreateFile is python's create on an empty storage.File: it validates
// the archives (sorting the caller's slice by precision, like python),
// writes the header and then zeros, a hole (Sparse) or reserved blocks
// (Fallocate). The bytes equal python's for the same arguments. A crash
// part way leaves a short file or one whose header is still zeros, which
// OpenFile rejects ("Truncated file", "Unable to read header"); a file that
// opens is the complete one (crash_test.go checks every write).
func CreateFile(f storage.File, archives []ArchiveSpec, opts *CreateOptions) error {
	m, xff := opts.resolve()
	h, err := NewHeader(archives, m, xff)
	if err != nil {
		return err
	}
	return writeNew(f, h, opts)
}

func writeNew(f storage.File, h *Header, opts *CreateOptions) error {
	var o CreateOptions
	if opts != nil {
		o = *opts
	}
	hb, _ := h.AppendBinary(nil)
	if _, err := f.WriteAt(hb, 0); err != nil {
		return err
	}
	hs, end := h.Size(), h.FileSize()
	if end == hs {
		return nil
	}
	if fa, ok := f.(fallocater); ok && o.Fallocate {
		return fa.Fallocate(hs, end-hs)
	}
	if o.Sparse || o.Fallocate {
		_, err := f.WriteAt([]byte{0}, end-1)
		return err
	}
	zeros := make([]byte, min(end-hs, 1<<16))
	for off := hs; off < end; {
		n := min(int64(len(zeros)), end-off)
		if _, err := f.WriteAt(zeros[:n], off); err != nil {
			return err
		}
		off += n
	}
	return nil
}

// Create is python's create(path, archiveList, xFilesFactor,
// aggregationMethod, sparse, useFallocate). It validates everything before
// touching the disk, fails with InvalidConfiguration("File %s already
// exists!") if path exists, and never leaves a partial file at path: the
// file is written under a temporary name in the same directory and then
// hard-linked to path (which fails if path appeared meanwhile), so a crash
// or an error (ENOSPC, EIO) leaves either no file or the complete one.
// archives is sorted in place, as python does.
func Create(path string, archives []ArchiveSpec, opts *CreateOptions) error {
	m, xff := opts.resolve()
	h, err := NewHeader(archives, m, xff)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(path); err == nil {
		return errConfig("File %s already exists!", path)
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-"+hex.EncodeToString(rnd[:]))
	f, err := storage.CreateExclusive(tmp, 0o644)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if opts != nil && opts.Lock {
		if err := f.Lock(); err != nil {
			return fmt.Errorf("%s: flock: %w", path, err)
		}
	}
	if err := writeNew(f, h, opts); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if opts != nil && opts.Sync {
		if err := f.Sync(); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	if err := os.Link(tmp, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return errConfig("File %s already exists!", path)
		}
		// A file system without hard links: rename, after checking
		// again that the name is free (a small window python has too).
		if _, serr := os.Lstat(path); serr == nil {
			return errConfig("File %s already exists!", path)
		}
		if rerr := os.Rename(tmp, path); rerr != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
	}
	ok = true
	os.Remove(tmp)
	if err := f.Close(); err != nil {
		os.Remove(path)
		return fmt.Errorf("%s: %w", path, err)
	}
	if opts != nil && opts.Sync {
		return storage.SyncDir(filepath.Dir(path))
	}
	return nil
}
