// Package storage is the bottom layer of ringvault: the File interface that
// every format package reads and writes, an OS-backed implementation with
// positioned I/O, flock, fallocate and sparse-file helpers, and MemFile, an
// in-memory File for tests and for formats living inside other containers.
//
// Formats use positioned I/O (ReadAt/WriteAt) only, never seek+read, so one
// open File can serve concurrent readers. The crash simulator in
// storage/faulty implements the same interface.
package storage

import (
	"errors"
	"io"
)

// File is what every format reads and writes.
//
// ReadAt follows io.ReaderAt: a read that reaches end of file returns the bytes
// read and io.EOF. WriteAt beyond the current size extends the file (the gap
// reads as zeros). Sync makes every completed WriteAt and Truncate durable.
type File interface {
	io.ReaderAt
	io.WriterAt
	// Size returns the current length of the file in bytes.
	Size() (int64, error)
	// Truncate changes the length of the file.
	Truncate(size int64) error
	// Sync commits the file's contents to stable storage.
	Sync() error
	// Close releases the file; later calls fail with ErrClosed.
	Close() error
}

// ErrClosed is returned by operations on a File that has been closed.
var ErrClosed = errors.New("storage: file already closed")

// ErrNegativeOffset is returned for reads, writes and truncations at a
// negative offset.
var ErrNegativeOffset = errors.New("storage: negative offset")

// ReadFull reads exactly len(p) bytes at off. A short file gives
// io.ErrUnexpectedEOF (or io.EOF when nothing at all could be read), so
// callers can tell truncation apart from other I/O errors.
func ReadFull(f io.ReaderAt, p []byte, off int64) error {
	n, err := f.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) {
		if n == 0 {
			return io.EOF
		}
		return io.ErrUnexpectedEOF
	}
	return err
}

// Section is a read-only view of n bytes of f starting at off, as an
// io.Reader, so streaming decoders can consume part of a File.
func Section(f io.ReaderAt, off, n int64) *io.SectionReader {
	return io.NewSectionReader(f, off, n)
}
