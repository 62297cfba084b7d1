package storage

import (
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"unsafe"
)

// errDirectUnsupported: the file system refused direct I/O for this file
// (EINVAL); the transfer is finished, and later ones are made, through the
// file's ordinary descriptor. errFinishBuffered: a short transfer left the
// rest unaligned; it is finished through the ordinary descriptor.
var (
	errDirectUnsupported = errors.New("storage: direct I/O not supported")
	errFinishBuffered    = errors.New("storage: short direct transfer")
)

// DirectAlign is the alignment DirectIO needs for a transfer to bypass
// the page cache: the memory address, the length and the file offset must
// all be multiples of it (4096 covers every logical block size Linux
// devices use for O_DIRECT).
const DirectAlign = 4096

// DirectIO reads and writes whole, aligned runs of a file past the page
// cache (O_DIRECT on Linux) through a second descriptor of the same open
// file, so that large sequential transfers go to the device at its speed:
// writes do not dirty the page cache and wait for writeback at fsync, and
// reads do not fill the page cache through readahead one page at a time.
//
// It has the semantics of the file's ReadAt and WriteAt: a completed
// WriteAt is visible to ReadAt at once (the kernel writes back and drops
// cached pages of the range), a direct ReadAt sees every completed write
// (the kernel writes dirty cached pages of the range back first), and a
// write is durable after the file's Sync (fsync works on the inode,
// whatever descriptor wrote; it still flushes the device's cache and the
// file's metadata). Transfers that are not aligned, and every transfer on
// a system or file system without direct I/O, go through the file's
// ordinary ReadAt and WriteAt. Readers should not read a range while it is
// being written (as with any WriteAt).
//
// Its methods may be called from several goroutines (writes to the same
// range should not overlap, as with WriteAt). Close waits for transfers
// in flight, so the descriptor is never used after it is closed (and
// perhaps reused by another file).
type DirectIO struct {
	f      *OSFile
	mu     sync.RWMutex // held shared during transfers, exclusively by Close
	ofd    int          // the direct descriptor, closed by Close; -1: none
	fd     atomic.Int64 // ofd while in use; -1 once direct I/O is refused
	direct atomic.Int64
}

// NewDirectIO opens a direct-I/O descriptor for f, with f's access mode.
// It never fails: if direct I/O is unavailable, it falls back to f's
// ReadAt and WriteAt. Close it before (or after) closing f; it does not
// close f.
func NewDirectIO(f *OSFile) *DirectIO {
	w := &DirectIO{f: f, ofd: openDirect(f)}
	w.fd.Store(int64(w.ofd))
	return w
}

// Aligned reports whether p (its address and length) and off meet
// DirectAlign, so WriteAt can bypass the page cache.
func Aligned(p []byte, off int64) bool {
	if len(p) == 0 {
		return false
	}
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(p)))
	return addr%DirectAlign == 0 && len(p)%DirectAlign == 0 && off%DirectAlign == 0
}

// AlignedBuffer returns a zeroed slice of n bytes whose first byte is
// DirectAlign-aligned.
func AlignedBuffer(n int) []byte {
	b := make([]byte, n+DirectAlign)
	addr := uintptr(unsafe.Pointer(unsafe.SliceData(b)))
	skip := int((DirectAlign - addr%DirectAlign) % DirectAlign)
	return b[skip : skip+n : skip+n]
}

// IsDirect reports whether aligned transfers bypass the page cache.
func (w *DirectIO) IsDirect() bool { return w.fd.Load() >= 0 }

// DirectBytes reports how many bytes were written past the page cache so far.
func (w *DirectIO) DirectBytes() int64 { return w.direct.Load() }

// WriteAt writes p at off: past the page cache if both are aligned and
// direct I/O is available, else with the file's WriteAt.
func (w *DirectIO) WriteAt(p []byte, off int64) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.writeAt(p, off)
}

func (w *DirectIO) writeAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, ErrNegativeOffset
	}
	fd := int(w.fd.Load())
	if fd < 0 || !Aligned(p, off) {
		return w.f.WriteAt(p, off)
	}
	n, err := pwriteDirect(fd, p, off)
	w.direct.Add(int64(n))
	if err == errDirectUnsupported || err == errFinishBuffered {
		if err == errDirectUnsupported {
			w.fd.Store(-1) // refused for this file: stop trying
		}
		m, err := w.f.WriteAt(p[n:], off+int64(n))
		return n + m, err
	}
	if err != nil {
		return n, fmt.Errorf("storage: direct write %s at %d: %w", w.f.Name(), off+int64(n), err)
	}
	return n, nil
}

// ReadAt reads like the file's ReadAt (io.ReaderAt): past the page cache
// if p and off are aligned and direct I/O is available.
func (w *DirectIO) ReadAt(p []byte, off int64) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	fd := int(w.fd.Load())
	if fd < 0 || off < 0 || !Aligned(p, off) {
		return w.f.ReadAt(p, off)
	}
	n, err := preadDirect(fd, p, off)
	if err == errDirectUnsupported || err == errFinishBuffered {
		if err == errDirectUnsupported {
			w.fd.Store(-1) // refused for this file: stop trying
		}
		m, err := w.f.ReadAt(p[n:], off+int64(n))
		return n + m, err
	}
	if err != nil && err != io.EOF {
		return n, fmt.Errorf("storage: direct read %s at %d: %w", w.f.Name(), off+int64(n), err)
	}
	return n, err
}

// Close releases the direct descriptor (not the file).
func (w *DirectIO) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fd.Store(-1)
	fd := w.ofd
	w.ofd = -1
	return closeDirect(fd)
}

// WriteVecAt writes the buffers one after another starting at off, like
// WriteAt of their concatenation: with one pwritev past the page cache if
// every buffer is aligned (so the device gets one large request), else
// with one WriteAt per buffer.
func (w *DirectIO) WriteVecAt(bufs [][]byte, off int64) (int, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	fd := int(w.fd.Load())
	aligned := fd >= 0 && off >= 0
	for _, b := range bufs {
		aligned = aligned && Aligned(b, 0)
	}
	if !aligned {
		n := 0
		for _, b := range bufs {
			m, err := w.writeAt(b, off+int64(n))
			n += m
			if err != nil {
				return n, err
			}
		}
		return n, nil
	}
	n, err := pwritevDirect(fd, bufs, off)
	w.direct.Add(int64(n))
	if err == errDirectUnsupported || err == errFinishBuffered {
		if err == errDirectUnsupported {
			w.fd.Store(-1) // refused for this file: stop trying
		}
		rest := n
		for _, b := range bufs {
			if rest >= len(b) {
				rest -= len(b)
				continue
			}
			m, err := w.f.WriteAt(b[rest:], off+int64(n))
			n += m
			if err != nil {
				return n, err
			}
			rest = 0
		}
		return n, nil
	}
	if err != nil {
		return n, fmt.Errorf("storage: direct write %s at %d: %w", w.f.Name(), off+int64(n), err)
	}
	return n, nil
}
