package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// OSFile is a File backed by an operating-system file. ReadAt and WriteAt use
// pread/pwrite, so concurrent readers need no locking.
type OSFile struct {
	f      *os.File
	locked bool
}

// OpenFile opens path with the flags and permissions of os.OpenFile.
func OpenFile(path string, flag int, perm os.FileMode) (*OSFile, error) {
	f, err := os.OpenFile(path, flag, perm)
	if err != nil {
		return nil, err
	}
	return &OSFile{f: f}, nil
}

// Open opens path read-only.
func Open(path string) (*OSFile, error) { return OpenFile(path, os.O_RDONLY, 0) }

// OpenRW opens an existing path for reading and writing.
func OpenRW(path string) (*OSFile, error) { return OpenFile(path, os.O_RDWR, 0) }

// CreateExclusive creates path for reading and writing and fails with an
// error satisfying errors.Is(err, fs.ErrExist) if it already exists.
func CreateExclusive(path string, perm os.FileMode) (*OSFile, error) {
	return OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
}

// NewOSFile wraps an already open *os.File.
func NewOSFile(f *os.File) *OSFile { return &OSFile{f: f} }

// Name returns the path the file was opened with.
func (o *OSFile) Name() string { return o.f.Name() }

// OS returns the underlying *os.File.
func (o *OSFile) OS() *os.File { return o.f }

// ReadAt implements io.ReaderAt with pread.
func (o *OSFile) ReadAt(p []byte, off int64) (int, error) { return o.f.ReadAt(p, off) }

// WriteAt implements io.WriterAt with pwrite.
func (o *OSFile) WriteAt(p []byte, off int64) (int, error) { return o.f.WriteAt(p, off) }

// Size returns the file's length from fstat.
func (o *OSFile) Size() (int64, error) {
	fi, err := o.f.Stat()
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}

// Truncate changes the file's length.
func (o *OSFile) Truncate(size int64) error { return o.f.Truncate(size) }

// Sync flushes the file to stable storage (fsync).
func (o *OSFile) Sync() error { return o.f.Sync() }

// Close closes the file, releasing any flock held through it.
func (o *OSFile) Close() error {
	err := o.f.Close()
	if errors.Is(err, os.ErrClosed) {
		return ErrClosed
	}
	return err
}

// Lock takes an exclusive flock(2) on the file, waiting for other holders.
// It is the same lock python whisper takes with LOCK=True (carbon's
// WHISPER_LOCK_WRITES) and go-carbon with flock = true, so ringvault and
// those writers exclude each other. Closing the file releases it.
func (o *OSFile) Lock() error {
	if err := flock(o.f, unix.LOCK_EX); err != nil {
		return fmt.Errorf("storage: flock %s: %w", o.f.Name(), err)
	}
	o.locked = true
	return nil
}

// LockShared takes a shared flock(2), waiting for an exclusive holder.
func (o *OSFile) LockShared() error {
	if err := flock(o.f, unix.LOCK_SH); err != nil {
		return fmt.Errorf("storage: flock %s: %w", o.f.Name(), err)
	}
	o.locked = true
	return nil
}

// TryLock takes an exclusive flock without waiting. It returns ErrLocked if
// another process holds the lock.
func (o *OSFile) TryLock() error {
	err := flock(o.f, unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return fmt.Errorf("%s: %w", o.f.Name(), ErrLocked)
	}
	if err != nil {
		return fmt.Errorf("storage: flock %s: %w", o.f.Name(), err)
	}
	o.locked = true
	return nil
}

// Unlock releases a lock taken with Lock, LockShared or TryLock.
func (o *OSFile) Unlock() error {
	if !o.locked {
		return nil
	}
	o.locked = false
	return flock(o.f, unix.LOCK_UN)
}

// ErrLocked is returned by TryLock when another process holds the lock.
var ErrLocked = errors.New("storage: file is locked by another process")

func flock(f *os.File, how int) error {
	for {
		err := unix.Flock(int(f.Fd()), how)
		if err != unix.EINTR {
			return err
		}
	}
}

// Fallocate reserves disk blocks for [off, off+n) without changing what the
// range reads as, like posix_fallocate (python whisper's useFallocate). The
// file grows to off+n if it is shorter. ErrUnsupported is returned where the
// file system cannot do it; callers fall back to writing zeros.
func (o *OSFile) Fallocate(off, n int64) error {
	if n <= 0 {
		return nil
	}
	for {
		err := unix.Fallocate(int(o.f.Fd()), 0, off, n)
		switch {
		case err == nil:
			return nil
		case err == unix.EINTR:
			continue
		case err == unix.EOPNOTSUPP || err == unix.ENOSYS:
			return fmt.Errorf("storage: fallocate %s: %w", o.f.Name(), errors.ErrUnsupported)
		default:
			return fmt.Errorf("storage: fallocate %s: %w", o.f.Name(), err)
		}
	}
}

// PunchHole deallocates [off, off+n) so the range reads as zeros and uses no
// disk blocks; the file's size does not change.
func (o *OSFile) PunchHole(off, n int64) error {
	if n <= 0 {
		return nil
	}
	err := unix.Fallocate(int(o.f.Fd()), unix.FALLOC_FL_PUNCH_HOLE|unix.FALLOC_FL_KEEP_SIZE, off, n)
	if err == unix.EOPNOTSUPP || err == unix.ENOSYS {
		return fmt.Errorf("storage: punch hole %s: %w", o.f.Name(), errors.ErrUnsupported)
	}
	if err != nil {
		return fmt.Errorf("storage: punch hole %s: %w", o.f.Name(), err)
	}
	return nil
}

// AllocatedBytes reports how many bytes of disk the file occupies
// (st_blocks × 512), which is less than its size for a sparse file.
func (o *OSFile) AllocatedBytes() (int64, error) {
	var st unix.Stat_t
	if err := unix.Fstat(int(o.f.Fd()), &st); err != nil {
		return 0, err
	}
	return st.Blocks * 512, nil
}

// DataRegions returns the [start, end) ranges of f that hold data, found
// with SEEK_DATA/SEEK_HOLE, so sparse-preserving copies can skip holes. On
// file systems without hole reporting it returns one region covering the file.
func (o *OSFile) DataRegions() ([][2]int64, error) {
	size, err := o.Size()
	if err != nil {
		return nil, err
	}
	fd := int(o.f.Fd())
	var regions [][2]int64
	off := int64(0)
	for off < size {
		start, err := unix.Seek(fd, off, unix.SEEK_DATA)
		if err == unix.ENXIO {
			break // only a hole remains
		}
		if err != nil {
			return [][2]int64{{0, size}}, nil
		}
		end, err := unix.Seek(fd, start, unix.SEEK_HOLE)
		if err != nil {
			return [][2]int64{{0, size}}, nil
		}
		regions = append(regions, [2]int64{start, end})
		off = end
	}
	return regions, nil
}

// SyncDir fsyncs a directory so that a rename or create inside it is durable.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, unix.EINVAL) {
		return err
	}
	return nil
}

// ReplaceFile atomically replaces dst with the file at tmp: it fsyncs tmp,
// renames it over dst and fsyncs the directory. After a crash dst is either
// the old file or the new one, never a mixture.
func ReplaceFile(tmp, dst string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	return SyncDir(filepath.Dir(dst))
}
