package whisper

import (
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"syscall"

	"ringvault/storage"
)

// Files opened by path are memory-mapped (MAP_SHARED) once a handle has
// served mmapAfter operations, so that a long-lived handle (a server's)
// updates the page cache without a system call per point and fetches
// decode straight from it. Short-lived handles (one command, one update)
// stay with pread/pwrite: mapping, faulting the pages in and unmapping
// costs more than the few system calls it would save. The bytes on disk, their order of
// reaching the disk and flock interplay are those of pread/pwrite: both go
// through the same page cache, and Sync (fsync) writes back dirty mapped
// pages too. Without a mapping (OpenFile on any storage.File, NoMmap, or
// mmap failing, e.g. at the vm.max_map_count limit) the same code uses
// ReadAt/WriteAt.
//
// If another process truncates a mapped file, touching the lost pages
// raises SIGBUS; every operation runs with debug.SetPanicOnFault and turns
// such a fault into a CorruptError instead of crashing the process.

// MaxMappedFiles bounds how many files this process keeps mapped at once
// (each mapping is one entry of the kernel's vm.max_map_count, 65,530 by
// default, which the Go runtime needs too); files opened beyond it use
// pread/pwrite.
var MaxMappedFiles int64 = 16384

var liveMaps atomic.Int64

// mmapAfter is the number of operations a handle serves with
// pread/pwrite before it maps the file.
var mmapAfter int32 = 16

// maybeMap counts a write operation and maps the file on the
// mmapAfter-th operation. The caller holds w.mu for writing.
func (w *File) maybeMap() {
	if w.osf == nil {
		return
	}
	if w.ops.Add(1) >= mmapAfter {
		w.mapFile(w.osf, !w.readOnly)
		w.osf = nil // one attempt only
	}
}

// countRead counts a read operation (which holds no lock yet) and maps
// the file on the mmapAfter-th operation.
func (w *File) countRead() {
	if w.ops.Load() >= mmapAfter {
		return
	}
	if w.ops.Add(1) >= mmapAfter {
		w.mu.Lock()
		if w.osf != nil {
			w.mapFile(w.osf, !w.readOnly)
			w.osf = nil
		}
		w.mu.Unlock()
	}
}

func (w *File) mapFile(f *storage.OSFile, writable bool) {
	size := w.hdr.FileSize()
	if size <= 0 || size > 1<<40 {
		return
	}
	if liveMaps.Add(1) > MaxMappedFiles {
		liveMaps.Add(-1)
		return
	}
	prot := syscall.PROT_READ
	if writable {
		prot |= syscall.PROT_WRITE
	}
	b, err := syscall.Mmap(int(f.OS().Fd()), 0, int(size), prot, syscall.MAP_SHARED)
	if err != nil {
		liveMaps.Add(-1)
		return // fall back to pread/pwrite
	}
	w.mm = b
}

func (w *File) unmap() {
	if w.mm != nil {
		syscall.Munmap(w.mm)
		w.mm = nil
		liveMaps.Add(-1)
	}
}

// readAt reads exactly len(p) bytes at off.
func (w *File) readAt(p []byte, off int64) error {
	if w.mm != nil && off >= 0 && off+int64(len(p)) <= int64(len(w.mm)) {
		copy(p, w.mm[off:])
		return nil
	}
	return storage.ReadFull(w.f, p, off)
}

// writeAt writes p at off.
func (w *File) writeAt(p []byte, off int64) error {
	if w.mm != nil && off >= 0 && off+int64(len(p)) <= int64(len(w.mm)) {
		copy(w.mm[off:], p)
		return nil
	}
	_, err := w.f.WriteAt(p, off)
	return err
}

// view returns the n bytes at off from the mapping, or nil without one.
func (w *File) view(off, n int64) []byte {
	if w.mm != nil && off >= 0 && off+n <= int64(len(w.mm)) {
		return w.mm[off : off+n : off+n]
	}
	return nil
}

// armFault makes memory faults panic (if the file is mapped) and returns
// the previous setting for recoverFault. Use as
//
//	defer w.recoverFault(&err, w.armFault())
func (w *File) armFault() bool {
	if w.mm == nil {
		return false
	}
	return debug.SetPanicOnFault(true)
}

// recoverFault turns a memory fault on the mapping (the file was truncated
// by someone else) into a CorruptError and restores the fault setting.
func (w *File) recoverFault(err *error, old bool) {
	if w.mm == nil {
		return
	}
	debug.SetPanicOnFault(old)
	if r := recover(); r != nil {
		if _, ok := r.(interface{ Addr() uintptr }); !ok {
			panic(r)
		}
		*err = &CorruptError{Path: w.name, Field: "data", Msg: "Truncated file",
			Detail: fmt.Sprintf("memory fault reading the mapped file (%v): it was truncated while open", r)}
	}
}
