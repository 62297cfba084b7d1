// Package faulty is a storage.File for crash and error-injection tests.
//
// A File keeps two images: the durable one (what survived the last Sync) and
// the current one (what reads see). Every WriteAt and Truncate since the last
// Sync is kept in a pending log. Crash returns the image a power loss would
// leave: the durable image plus some of the pending operations, chosen by a
// Mode — none, an in-order prefix, an arbitrary subset (reordering), or an
// arbitrary subset of 512-byte sectors (torn writes).
//
// Error injection: FailOn makes the Nth call of an operation fail with a
// given error (EIO, ENOSPC, ...); FailFrom makes the Nth and every later call
// fail, which is how a test stops a writer "at write N" before calling Crash.
//
// A typical crash test:
//
//	f := faulty.New(initial)
//	f.FailFrom(faulty.OpWrite, k, faulty.ErrCrashed) // the machine dies at write k
//	_ = operation(f)                                  // fails at write k
//	img := f.Crash(rng, faulty.Tear)                  // what the disk holds
//	check(faulty.New(img))                            // reopen and verify
package faulty

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"

	"ringvault/storage"
)

// SectorSize is the granularity at which Tear splits unsynced writes.
const SectorSize = 512

// Op names a File operation for counting and error injection.
type Op int

// Operations that can be counted and made to fail.
const (
	OpRead Op = iota
	OpWrite
	OpSync
	OpTruncate
	OpSize
	OpClose
	OpAny // matches every operation in FailOn/FailFrom; Calls(OpAny) counts all
	numOps
)

func (o Op) String() string {
	return [...]string{"ReadAt", "WriteAt", "Sync", "Truncate", "Size", "Close", "any"}[o]
}

// Mode chooses which unsynced operations survive a Crash.
type Mode int

// Crash modes.
const (
	// DropAll loses every unsynced write and truncation.
	DropAll Mode = iota
	// KeepAll keeps everything, as when only the process dies.
	KeepAll
	// Prefix keeps the pending operations in issue order up to a random
	// point: a disk that persists writes in order.
	Prefix
	// Reorder keeps a random subset of whole operations: later writes may
	// survive while earlier ones are lost.
	Reorder
	// Tear keeps a random subset of the 512-byte sectors of unsynced
	// writes, so a write can survive partly.
	Tear
)

// Modes lists every crash mode, for tests that loop over them.
var Modes = []Mode{DropAll, KeepAll, Prefix, Reorder, Tear}

func (m Mode) String() string {
	return [...]string{"drop-all", "keep-all", "prefix", "reorder", "tear"}[m]
}

// ErrCrashed is a convenient error for FailFrom: the simulated machine is gone.
var ErrCrashed = errors.New("faulty: simulated crash")

// pendingOp is an unsynced WriteAt (data != nil) or Truncate (data == nil).
type pendingOp struct {
	off  int64 // write offset, or the new size for a truncate
	data []byte
}

type rule struct {
	op    Op
	n     int // 1-based call number
	from  bool
	err   error
	fired bool
}

// File is a crash-simulating storage.File. It is safe for concurrent use.
type File struct {
	mu      sync.Mutex
	durable []byte
	cur     []byte
	pending []pendingOp
	calls   [numOps]int
	rules   []*rule
	closed  bool
}

var _ storage.File = (*File)(nil)

// New returns a File whose durable and current contents are a copy of data.
func New(data []byte) *File {
	return &File{durable: clone(data), cur: clone(data)}
}

func clone(b []byte) []byte { return append([]byte{}, b...) }

// FailOn makes the nth call (counting from 1 over the File's life) of op fail
// with err. With OpAny, n counts all calls.
func (f *File) FailOn(op Op, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{op: op, n: n, err: err})
}

// FailFrom makes the nth call of op and every call of op after it fail with
// err. With OpAny, every operation from the nth call on fails.
func (f *File) FailFrom(op Op, n int, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{op: op, n: n, from: true, err: err})
}

// ClearFaults removes every FailOn and FailFrom rule.
func (f *File) ClearFaults() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = nil
}

// Calls returns how many times op has been called (OpAny: all operations).
func (f *File) Calls(op Op) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// enter counts a call and returns the injected error, if any. f.mu is held.
func (f *File) enter(op Op) error {
	f.calls[op]++
	f.calls[OpAny]++
	for _, r := range f.rules {
		n := f.calls[r.op]
		if r.op != op && r.op != OpAny {
			continue
		}
		if n == r.n || (r.from && n > r.n) {
			r.fired = true
			return &InjectedError{Op: op, Call: f.calls[op], Err: r.err}
		}
	}
	if f.closed && op != OpClose {
		return storage.ErrClosed
	}
	return nil
}

// InjectedError is returned by a call that a FailOn or FailFrom rule failed.
type InjectedError struct {
	Op   Op
	Call int
	Err  error
}

func (e *InjectedError) Error() string {
	return fmt.Sprintf("faulty: %s call %d: %v", e.Op, e.Call, e.Err)
}

// Unwrap lets errors.Is see the injected error (syscall.EIO, ENOSPC, ...).
func (e *InjectedError) Unwrap() error { return e.Err }

// ReadAt implements io.ReaderAt on the current image.
func (f *File) ReadAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpRead); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, storage.ErrNegativeOffset
	}
	if off >= int64(len(f.cur)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, f.cur[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt implements io.WriterAt. The write is visible at once and durable
// only after Sync. A failed (injected) write changes nothing.
func (f *File) WriteAt(p []byte, off int64) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpWrite); err != nil {
		return 0, err
	}
	if off < 0 {
		return 0, storage.ErrNegativeOffset
	}
	f.cur = apply(f.cur, pendingOp{off: off, data: p})
	f.pending = append(f.pending, pendingOp{off: off, data: clone(p)})
	return len(p), nil
}

// Size returns the length of the current image.
func (f *File) Size() (int64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpSize); err != nil {
		return 0, err
	}
	return int64(len(f.cur)), nil
}

// Truncate changes the length of the current image; it is durable after Sync.
func (f *File) Truncate(size int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpTruncate); err != nil {
		return err
	}
	if size < 0 {
		return storage.ErrNegativeOffset
	}
	f.cur = apply(f.cur, pendingOp{off: size})
	f.pending = append(f.pending, pendingOp{off: size})
	return nil
}

// Sync makes every pending operation durable.
func (f *File) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpSync); err != nil {
		return err
	}
	f.durable = clone(f.cur)
	f.pending = nil
	return nil
}

// Close marks the file closed; it does not sync. Crash still works after it.
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.enter(OpClose); err != nil {
		return err
	}
	if f.closed {
		return storage.ErrClosed
	}
	f.closed = true
	return nil
}

// Reopen returns the File to use after a process restart without power
// loss: a new File whose durable image is the current one.
func (f *File) Reopen() *File {
	f.mu.Lock()
	defer f.mu.Unlock()
	return New(f.cur)
}

// Durable returns a copy of the image as of the last Sync.
func (f *File) Durable() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return clone(f.durable)
}

// Current returns a copy of the image reads see now.
func (f *File) Current() []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return clone(f.cur)
}

// Pending returns how many writes and truncations are not yet synced.
func (f *File) Pending() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pending)
}

// Crash returns the image a power loss would leave now, choosing surviving
// unsynced operations with rng according to mode. The File itself is not
// changed, so a test can draw many crash images from one state.
func (f *File) Crash(rng *rand.Rand, mode Mode) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	img := clone(f.durable)
	switch mode {
	case DropAll:
	case KeepAll:
		img = clone(f.cur)
	case Prefix:
		k := rng.IntN(len(f.pending) + 1)
		for _, op := range f.pending[:k] {
			img = apply(img, op)
		}
	case Reorder:
		for _, op := range f.pending {
			if rng.IntN(2) == 0 {
				img = apply(img, op)
			}
		}
	case Tear:
		for _, op := range f.pending {
			if op.data == nil {
				if rng.IntN(2) == 0 {
					img = apply(img, op)
				}
				continue
			}
			for _, piece := range sectors(op) {
				if rng.IntN(2) == 0 {
					img = apply(img, piece)
				}
			}
		}
	default:
		panic(fmt.Sprintf("faulty: unknown crash mode %d", mode))
	}
	return img
}

// CrashFile is Crash returning a fresh File on the crash image, ready to be
// reopened by the code under test.
func (f *File) CrashFile(rng *rand.Rand, mode Mode) *File {
	return New(f.Crash(rng, mode))
}

// apply performs one write or truncation on img and returns the result.
func apply(img []byte, op pendingOp) []byte {
	if op.data == nil {
		if op.off <= int64(len(img)) {
			return img[:op.off]
		}
		return append(img, make([]byte, op.off-int64(len(img)))...)
	}
	end := op.off + int64(len(op.data))
	if end > int64(len(img)) {
		img = append(img, make([]byte, end-int64(len(img)))...)
	}
	copy(img[op.off:], op.data)
	return img
}

// sectors splits a write at absolute 512-byte boundaries.
func sectors(op pendingOp) []pendingOp {
	var out []pendingOp
	off, data := op.off, op.data
	for len(data) > 0 {
		n := SectorSize - int(off%SectorSize)
		if n > len(data) {
			n = len(data)
		}
		out = append(out, pendingOp{off: off, data: data[:n]})
		off += int64(n)
		data = data[n:]
	}
	return out
}
