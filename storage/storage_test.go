package storage

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

func TestMemFile(t *testing.T) {
	m := NewMemFile([]byte("abc"))
	if _, err := m.WriteAt([]byte("Z"), 5); err != nil {
		t.Fatal(err)
	}
	if got := m.Bytes(); !bytes.Equal(got, []byte{'a', 'b', 'c', 0, 0, 'Z'}) {
		t.Fatalf("got %q", got)
	}
	buf := make([]byte, 4)
	if n, err := m.ReadAt(buf, 4); n != 2 || err != io.EOF {
		t.Fatalf("ReadAt = %d, %v", n, err)
	}
	if err := ReadFull(m, buf, 4); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("ReadFull short = %v", err)
	}
	if err := m.Truncate(1); err != nil {
		t.Fatal(err)
	}
	if err := m.Truncate(3); err != nil {
		t.Fatal(err)
	}
	if got := m.Bytes(); !bytes.Equal(got, []byte{'a', 0, 0}) {
		t.Fatalf("grow after shrink must read zeros, got %q", got)
	}
	m.Close()
	if _, err := m.ReadAt(buf, 0); !errors.Is(err, ErrClosed) {
		t.Fatalf("read after close: %v", err)
	}
}

func TestOSFileSparseAndLock(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	f, err := CreateExclusive(p, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := CreateExclusive(p, 0o644); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second exclusive create: %v", err)
	}
	const size = 8 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte{1}, size-1); err != nil {
		t.Fatal(err)
	}
	alloc, err := f.AllocatedBytes()
	if err != nil {
		t.Fatal(err)
	}
	if alloc >= size/2 {
		t.Skipf("file system does not keep files sparse (%d bytes allocated)", alloc)
	}
	regions, err := f.DataRegions()
	if err != nil {
		t.Fatal(err)
	}
	if len(regions) != 1 || regions[0][1] != size {
		t.Fatalf("data regions %v, want one ending at %d", regions, size)
	}
	if err := f.Fallocate(0, size); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		t.Fatal(err)
	}
	if err := f.TryLock(); err != nil {
		t.Fatal(err)
	}
	g, err := OpenRW(p)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	if err := g.TryLock(); !errors.Is(err, ErrLocked) {
		t.Fatalf("second flock: %v, want ErrLocked", err)
	}
	f.Unlock()
	if err := g.TryLock(); err != nil {
		t.Fatalf("flock after unlock: %v", err)
	}
}

func TestReplaceFile(t *testing.T) {
	dir := t.TempDir()
	dst, tmp := filepath.Join(dir, "a"), filepath.Join(dir, "a.tmp")
	os.WriteFile(dst, []byte("old"), 0o644)
	os.WriteFile(tmp, []byte("new"), 0o644)
	if err := ReplaceFile(tmp, dst); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dst); string(b) != "new" {
		t.Fatalf("dst %q", b)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, fs.ErrNotExist) {
		t.Fatal("tmp still there")
	}
}
