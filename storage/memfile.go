package storage

import (
	"io"
	"sync"
)

// MemFile is a File held in memory. It is safe for concurrent use: reads
// proceed in parallel, writes are serialized.
type MemFile struct {
	mu     sync.RWMutex
	data   []byte
	closed bool
}

// NewMemFile returns a MemFile whose initial contents are a copy of data.
func NewMemFile(data []byte) *MemFile {
	return &MemFile{data: append([]byte(nil), data...)}
}

// ReadAt implements io.ReaderAt.
func (m *MemFile) ReadAt(p []byte, off int64) (int, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, ErrClosed
	}
	if off < 0 {
		return 0, ErrNegativeOffset
	}
	if off >= int64(len(m.data)) {
		if len(p) == 0 {
			return 0, nil
		}
		return 0, io.EOF
	}
	n := copy(p, m.data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// WriteAt implements io.WriterAt; writing past the end grows the file.
func (m *MemFile) WriteAt(p []byte, off int64) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return 0, ErrClosed
	}
	if off < 0 {
		return 0, ErrNegativeOffset
	}
	end := off + int64(len(p))
	if end > int64(len(m.data)) {
		m.grow(end)
	}
	copy(m.data[off:], p)
	return len(p), nil
}

func (m *MemFile) grow(size int64) {
	if size <= int64(cap(m.data)) {
		old := len(m.data)
		m.data = m.data[:size]
		clear(m.data[old:])
		return
	}
	nd := make([]byte, size, size+size/4)
	copy(nd, m.data)
	m.data = nd
}

// Size returns the length of the file.
func (m *MemFile) Size() (int64, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return 0, ErrClosed
	}
	return int64(len(m.data)), nil
}

// Truncate changes the length of the file; growing fills with zeros.
func (m *MemFile) Truncate(size int64) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	if size < 0 {
		return ErrNegativeOffset
	}
	if size <= int64(len(m.data)) {
		m.data = m.data[:size]
		return nil
	}
	m.grow(size)
	return nil
}

// Sync is a no-op for memory; it fails only on a closed file.
func (m *MemFile) Sync() error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.closed {
		return ErrClosed
	}
	return nil
}

// Close marks the file closed. The contents stay readable through Bytes.
func (m *MemFile) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.closed {
		return ErrClosed
	}
	m.closed = true
	return nil
}

// Bytes returns a copy of the current contents.
func (m *MemFile) Bytes() []byte {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return append([]byte(nil), m.data...)
}
