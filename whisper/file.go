package whisper

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"sync"
	"sync/atomic"
	"syscall"

	"ringvault/internal/pyfmt"
	"ringvault/storage"
)

// File is an open whisper file. The header is parsed and checked once, at
// open; every operation then works from that copy (python re-reads the
// header five times per call). Write operations on one File are serialized
// by a lock; fetches share a read lock, so they run concurrently with each
// other and see every write of this handle either not at all or entirely.
//
// A File assumes nobody changes the file's header behind its back (python's
// CACHE_HEADERS makes the same assumption); point data may be written by
// other processes at any time.
type File struct {
	f        storage.File
	name     string
	hdr      *Header
	readOnly bool
	lock     bool
	closed   atomic.Bool

	// bases caches each archive's base interval (the timestamp in its
	// first slot); 0 means "unknown or empty: read it again".
	bases []atomic.Uint32

	mm  []byte          // the file mapped MAP_SHARED, or nil (see mmap.go)
	osf *storage.OSFile // set when the file may be mapped
	ops atomic.Int32    // operations so far, until the file is mapped

	mu  sync.RWMutex // writers lock, fetches read-lock; guards buf and the scratch slices
	buf []byte
	scr updateScratch
}

// OpenOptions tunes Open. A nil *OpenOptions opens for reading and writing
// without locking.
type OpenOptions struct {
	// ReadOnly opens the file O_RDONLY; write operations then fail with
	// ErrReadOnly.
	ReadOnly bool
	// Lock takes an exclusive flock(2) around every write operation, like
	// python whisper with LOCK=True (carbon's WHISPER_LOCK_WRITES). Readers
	// never lock, as in python.
	Lock bool
	// NoMmap always reads and writes with pread/pwrite; by default a
	// handle maps the file once it has served a few operations (see
	// mmap.go).
	NoMmap bool
}

// Open opens the whisper file at path (python opens the path on every
// call; here the handle is kept and the header parsed once).
func Open(path string, opts *OpenOptions) (*File, error) {
	var o OpenOptions
	if opts != nil {
		o = *opts
	}
	f, err := openOS(path, o.ReadOnly)
	if err != nil {
		return nil, err
	}
	w, err := OpenFile(f, path)
	if err != nil {
		f.Close()
		return nil, err
	}
	w.readOnly, w.lock = o.ReadOnly, o.Lock
	if !o.NoMmap {
		w.osf = f // mapped after mmapAfter operations (see mmap.go)
	}
	return w, nil
}

// openOS opens path with open(2) and wraps the descriptor with
// os.NewFile, which (unlike os.OpenFile) does not try to register a regular
// file with the runtime's poller: four system calls fewer per open.
func openOS(path string, readOnly bool) (*storage.OSFile, error) {
	flag := syscall.O_RDWR
	if readOnly {
		flag = syscall.O_RDONLY
	}
	fd, err := syscall.Open(path, flag|syscall.O_CLOEXEC, 0)
	for err == syscall.EINTR {
		fd, err = syscall.Open(path, flag|syscall.O_CLOEXEC, 0)
	}
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	return storage.NewOSFile(os.NewFile(uintptr(fd), path)), nil
}

// OpenFile reads and checks the header of a whisper file on any
// storage.File; name is used in errors. Close closes f.
func OpenFile(f storage.File, name string) (*File, error) {
	size, err := f.Size()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	hdr, head, err := readHeader(f, name, size)
	if err != nil {
		return nil, err
	}
	if err := hdr.Check(name, size); err != nil {
		return nil, err
	}
	w := &File{f: f, name: name, hdr: hdr, bases: make([]atomic.Uint32, len(hdr.Archives))}
	// The first read usually covers the first slot of the first archives
	// too: seed their bases and save a read each.
	for i, a := range hdr.Archives {
		if a.Points > 0 && int64(a.Offset)+pointSize <= int64(len(head)) {
			w.bases[i].Store(binary.BigEndian.Uint32(head[a.Offset:]))
		}
	}
	return w, nil
}

// readHeader reads the header from f (size bytes long) with one read of
// the first 4 KiB in the common case, and returns the bytes read too.
func readHeader(f io.ReaderAt, name string, size int64) (*Header, []byte, error) {
	n := int64(4096)
	if n > size {
		n = size
	}
	b := make([]byte, n)
	if err := storage.ReadFull(f, b, 0); err != nil {
		return nil, nil, fmt.Errorf("%s: reading header: %w", name, err)
	}
	if len(b) >= metadataSize {
		count := int64(binary.BigEndian.Uint32(b[12:]))
		want := metadataSize + archiveInfoSize*min(count, maxArchives)
		if want > n && want <= size {
			b = make([]byte, want)
			if err := storage.ReadFull(f, b, 0); err != nil {
				return nil, nil, fmt.Errorf("%s: reading header: %w", name, err)
			}
		} else if want > size {
			b = make([]byte, size)
			if err := storage.ReadFull(f, b, 0); err != nil && size > 0 {
				return nil, nil, fmt.Errorf("%s: reading header: %w", name, err)
			}
		}
	}
	h, err := ParseHeader(b, name)
	return h, b, err
}

// Header returns the header read at open (updated by SetAggregation). The
// caller must not modify it.
func (w *File) Header() *Header {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.hdr
}

// Name returns the name the file was opened with.
func (w *File) Name() string { return w.name }

// Storage returns the underlying storage.File.
func (w *File) Storage() storage.File { return w.f }

// Close closes the file (and the storage.File given to OpenFile).
func (w *File) Close() error {
	if w.closed.Swap(true) {
		return ErrClosed
	}
	w.mu.Lock()
	w.unmap()
	w.mu.Unlock()
	return w.f.Close()
}

// Sync flushes the file to stable storage (python's AUTOFLUSH does this
// after every write operation).
func (w *File) Sync() error { return w.f.Sync() }

// locker is implemented by *storage.OSFile.
type locker interface {
	Lock() error
	Unlock() error
}

// beginWrite takes the handle's mutex and, with OpenOptions.Lock, the
// file's flock; endWrite releases them.
func (w *File) beginWrite() error {
	if w.closed.Load() {
		return ErrClosed
	}
	if w.readOnly {
		return fmt.Errorf("%s: %w", w.name, ErrReadOnly)
	}
	w.mu.Lock()
	w.maybeMap()
	if w.lock {
		if l, ok := w.f.(locker); ok {
			if err := l.Lock(); err != nil {
				w.mu.Unlock()
				return fmt.Errorf("%s: flock: %w", w.name, err)
			}
		}
	}
	return nil
}

func (w *File) endWrite() {
	if w.lock {
		if l, ok := w.f.(locker); ok {
			l.Unlock()
		}
	}
	w.mu.Unlock()
}

// Info is python's info(path): the header of the file at path. Where
// python returns None (the file cannot be opened) the error wraps the
// os error (errors.Is(err, fs.ErrNotExist) for a missing file). Unlike
// python, a file shorter than its header promises is reported as corrupt.
func Info(path string) (*Header, error) {
	w, err := Open(path, &OpenOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	return w.hdr, nil
}

// checkXFF is python's xFilesFactor check in __writeHeaderMetadata; NaN,
// which python lets through (and then cannot read back), is rejected too.
func checkXFF(xff float64) error {
	if xff < 0 || xff > 1 || math.IsNaN(xff) {
		return newErr(ErrInvalidXFilesFactor, "InvalidXFilesFactor",
			"Invalid xFilesFactor %s, not between 0 and 1", pyfmt.FloatRepr(xff))
	}
	return nil
}

func errMethod(m AggregationMethod) error {
	return newErr(ErrInvalidAggregationMethod, "InvalidAggregationMethod",
		"Unrecognized aggregation method: %s", m)
}

// SetAggregation rewrites the 16-byte metadata of the open file with a new
// aggregation method (0 keeps the current one) and xFilesFactor (nil keeps
// the current one); it returns the old values. It is python's
// __setAggregation on an open handle.
func (w *File) SetAggregation(m AggregationMethod, xff *float64) (oldMethod AggregationMethod, oldXFF float32, err error) {
	if err := w.beginWrite(); err != nil {
		return 0, 0, err
	}
	defer w.endWrite()
	oldMethod, oldXFF = w.hdr.AggregationMethod, w.hdr.XFilesFactor
	if m == 0 {
		m = oldMethod
	}
	x := float64(oldXFF)
	if xff != nil {
		x = *xff
	}
	if !m.Valid() {
		return 0, 0, errMethod(m)
	}
	if err := checkXFF(x); err != nil {
		return 0, 0, err
	}
	b := appendMetadata(w.buf[:0], uint32(m), w.hdr.MaxRetention, float32(x), uint32(len(w.hdr.Archives)))
	if err := w.writeAt(b, 0); err != nil {
		return 0, 0, fmt.Errorf("%s: writing metadata: %w", w.name, err)
	}
	h := w.hdr.clone()
	h.AggregationMethod, h.XFilesFactor = m, float32(x)
	w.hdr = h
	return oldMethod, oldXFF, nil
}

// SetAggregationMethod is python's setAggregationMethod(path, method,
// xFilesFactor): it rewrites the metadata in place (one 16-byte write, which
// lies in the first sector, so a crash leaves the old or the new metadata)
// and returns the old method. xff nil keeps the stored xFilesFactor.
func SetAggregationMethod(path string, m AggregationMethod, xff *float64) (old AggregationMethod, err error) {
	if !m.Valid() {
		return 0, errMethod(m)
	}
	if xff != nil {
		if err := checkXFF(*xff); err != nil {
			return 0, err
		}
	}
	return setAggregation(path, m, xff, false)
}

// SetXFilesFactor is python's setXFilesFactor(path, xff): it returns the
// old xFilesFactor (as stored, a float32).
func SetXFilesFactor(path string, xff float64) (old float32, err error) {
	if err := checkXFF(xff); err != nil {
		return 0, err
	}
	w, err := Open(path, nil)
	if err != nil {
		return 0, err
	}
	defer w.Close()
	_, old, err = w.SetAggregation(0, &xff)
	return old, err
}

func setAggregation(path string, m AggregationMethod, xff *float64, lock bool) (AggregationMethod, error) {
	w, err := Open(path, &OpenOptions{Lock: lock})
	if err != nil {
		return 0, err
	}
	defer w.Close()
	old, _, err := w.SetAggregation(m, xff)
	return old, err
}

// isNotExist reports a missing file.
func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }
